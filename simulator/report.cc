#include "simulator/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "markup/html_escape.h"
#include "model/quantity.h"

namespace epc {
namespace {

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

constexpr double kGiB = static_cast<double>(int64_t{1} << 30);

std::string gib(int64_t bytes) {
  return fixed(static_cast<double>(bytes) / static_cast<double>(int64_t{1} << 30), 2);
}

const SimulationResult* find_result(const SimulationReport& report, std::string_view name) {
  for (const SimulationResult& result : report.results) {
    if (result.policy == name) return &result;
  }
  return nullptr;
}

// "-23.5%" against kube-default's time-weighted nodes in use; "" without a baseline.
std::string versus_default(const SimulationReport& report, const SimulationResult& result) {
  const SimulationResult* baseline = find_result(report, "kube-default");
  if (baseline == nullptr || baseline->time_weighted_nodes_in_use <= 0) return "";
  const double change =
      (result.time_weighted_nodes_in_use / baseline->time_weighted_nodes_in_use - 1) * 100;
  return (change > 0 ? "+" : "") + fixed(change, 1) + "%";
}

// Time-weighted nodes in use over the time-weighted volume bound of the same run's demand.
double over_bound(const SimulationResult& result) {
  if (result.time_weighted_volume_bound <= 0) return 0;
  return (result.time_weighted_nodes_in_use / result.time_weighted_volume_bound - 1) * 100;
}

struct Column {
  std::string title;
  std::string (*value)(const SimulationReport&, const SimulationResult&);
};

const std::vector<Column>& columns() {
  static const std::vector<Column> kColumns = {
      {"policy", [](const SimulationReport&, const SimulationResult& r) { return r.policy; }},
      {"placed",
       [](const SimulationReport&, const SimulationResult& r) { return std::to_string(r.placed); }},
      {"pending", [](const SimulationReport&,
                     const SimulationResult& r) { return std::to_string(r.pending); }},
      {"pending_epc", [](const SimulationReport&,
                         const SimulationResult& r) { return std::to_string(r.pending_epc); }},
      {"ffd_could_place",
       [](const SimulationReport&, const SimulationResult& r) {
         return std::to_string(r.pending_ffd_could_place);
       }},
      {"waited",
       [](const SimulationReport&, const SimulationResult& r) { return std::to_string(r.waited); }},
      {"peak_in_use",
       [](const SimulationReport&, const SimulationResult& r) {
         return std::to_string(r.peak_nodes_in_use);
       }},
      {"peak_bound",
       [](const SimulationReport&, const SimulationResult& r) {
         return std::to_string(r.volume_bound_at_peak);
       }},
      {"tw_in_use",
       [](const SimulationReport&, const SimulationResult& r) {
         return fixed(r.time_weighted_nodes_in_use, 2);
       }},
      {"tw_bound",
       [](const SimulationReport&, const SimulationResult& r) {
         return fixed(r.time_weighted_volume_bound, 2);
       }},
      {"over_bound", [](const SimulationReport&,
                        const SimulationResult& r) { return fixed(over_bound(r), 1) + "%"; }},
      {"vs_default", [](const SimulationReport& report,
                        const SimulationResult& r) { return versus_default(report, r); }},
      {"epc_util",
       [](const SimulationReport&, const SimulationResult& r) {
         return fixed(r.epc_utilisation_of_used * 100, 1) + "%";
       }},
      {"tw_epc_gib",
       [](const SimulationReport&, const SimulationResult& r) {
         return fixed(r.time_weighted_epc_in_use_bytes / kGiB, 2);
       }},
      {"tw_epc_bound_gib",
       [](const SimulationReport&, const SimulationResult& r) {
         return fixed(r.time_weighted_epc_capacity_bound_bytes / kGiB, 2);
       }},
      {"tw_cost_h",
       [](const SimulationReport&, const SimulationResult& r) {
         return r.priced ? fixed(r.time_weighted_cost_per_hour, 2) : std::string("-");
       }},
      {"evictions", [](const SimulationReport&,
                       const SimulationResult& r) { return std::to_string(r.evictions); }},
      {"evict_per_h", [](const SimulationReport&,
                         const SimulationResult& r) { return fixed(r.evictions_per_hour, 2); }},
      {"stranded_gib", [](const SimulationReport&,
                          const SimulationResult& r) { return gib(r.stranded_epc_bytes); }},
      {"plain_on_conf",
       [](const SimulationReport&, const SimulationResult& r) {
         return std::to_string(r.non_epc_on_confidential);
       }},
      {"mean_us", [](const SimulationReport&,
                     const SimulationResult& r) { return fixed(r.decision_mean_us, 1); }},
      {"p99_us", [](const SimulationReport&,
                    const SimulationResult& r) { return fixed(r.decision_p99_us, 1); }},
  };
  return kColumns;
}

std::string bounds_text(const SimulationReport& report) {
  const TraceBounds& b = report.bounds;
  std::string text =
      "offline bounds at the trace's peak EPC demand (" + gib(b.peak_epc_bytes) + " GiB in " +
      std::to_string(b.peak_epc_pods) + " pods at t=" + fixed(b.peak_time_seconds, 0) +
      "s): volume bound " + std::to_string(b.volume_bound) + " nodes (EPC alone " +
      std::to_string(b.epc_volume_bound) + "), FFD " + std::to_string(b.ffd.nodes_used) + " nodes";
  if (b.ffd.unplaced > 0) text += " (" + std::to_string(b.ffd.unplaced) + " pods fit nowhere)";
  std::string pools;
  for (const auto& [pool, used] : b.ffd.nodes_used_per_pool) {
    pools += (pools.empty() ? "" : ", ") + pool + " " + std::to_string(used);
  }
  if (!pools.empty()) text += " [" + pools + "]";
  text += "; time-weighted volume bound " + fixed(b.time_weighted_volume_bound, 2) + "\n";
  return text;
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string render_table(const SimulationReport& report) {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header;
  for (const Column& column : columns()) header.push_back(column.title);
  cells.push_back(header);
  for (const SimulationResult& result : report.results) {
    std::vector<std::string> row;
    for (const Column& column : columns()) row.push_back(column.value(report, result));
    cells.push_back(row);
  }
  std::vector<size_t> widths(header.size(), 0);
  for (const auto& row : cells) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string text = report.workload + ": " + std::to_string(report.nodes) + " nodes (" +
                     std::to_string(report.confidential_nodes) + " confidential), " +
                     std::to_string(report.pods) + " pods (" + std::to_string(report.epc_pods) +
                     " with EPC), horizon " + fixed(report.horizon_seconds, 0) + "s\n";
  text += bounds_text(report);
  for (const auto& row : cells) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string padding(widths[i] - row[i].size(), ' ');
      line += i == 0 ? row[i] + padding : "  " + padding + row[i];
    }
    text += line + "\n";
  }
  return text;
}

std::string render_csv(const SimulationReport& report) {
  std::string text;
  for (const Column& column : columns()) text += (text.empty() ? "" : ",") + column.title;
  text += "\n";
  for (const SimulationResult& result : report.results) {
    std::string line;
    for (const Column& column : columns()) {
      line += (line.empty() ? "" : ",") + column.value(report, result);
    }
    text += line + "\n";
  }
  return text;
}

std::string render_json(const SimulationReport& report) {
  const TraceBounds& b = report.bounds;
  std::ostringstream out;
  out << "{\"workload\":" << json_string(report.workload) << ",\"nodes\":" << report.nodes
      << ",\"confidentialNodes\":" << report.confidential_nodes << ",\"pods\":" << report.pods
      << ",\"epcPods\":" << report.epc_pods << ",\"horizonSeconds\":" << report.horizon_seconds
      << ",\"bounds\":{\"peakTimeSeconds\":" << b.peak_time_seconds
      << ",\"peakEpcBytes\":" << b.peak_epc_bytes << ",\"peakEpcPods\":" << b.peak_epc_pods
      << ",\"volumeBound\":" << b.volume_bound << ",\"epcVolumeBound\":" << b.epc_volume_bound
      << ",\"ffdNodes\":" << b.ffd.nodes_used << ",\"ffdUnplaced\":" << b.ffd.unplaced
      << ",\"timeWeightedVolumeBound\":" << b.time_weighted_volume_bound << "},\"policies\":[";
  for (size_t i = 0; i < report.results.size(); ++i) {
    const SimulationResult& r = report.results[i];
    out << (i ? "," : "") << "{\"policy\":" << json_string(r.policy)
        << ",\"arrivals\":" << r.arrivals << ",\"placed\":" << r.placed
        << ",\"pending\":" << r.pending << ",\"pendingEpc\":" << r.pending_epc
        << ",\"pendingFfdCouldPlace\":" << r.pending_ffd_could_place << ",\"waited\":" << r.waited
        << ",\"meanWaitSeconds\":" << r.mean_wait_seconds
        << ",\"peakNodesInUse\":" << r.peak_nodes_in_use
        << ",\"timeWeightedNodesInUse\":" << r.time_weighted_nodes_in_use
        << ",\"epcUtilisationOfUsed\":" << r.epc_utilisation_of_used
        << ",\"strandedEpcBytes\":" << r.stranded_epc_bytes
        << ",\"nonEpcOnConfidential\":" << r.non_epc_on_confidential
        << ",\"peakEpcBytes\":" << r.peak_epc_bytes
        << ",\"volumeBoundAtPeak\":" << r.volume_bound_at_peak
        << ",\"timeWeightedVolumeBound\":" << r.time_weighted_volume_bound
        << ",\"timeWeightedEpcInUseBytes\":" << r.time_weighted_epc_in_use_bytes
        << ",\"timeWeightedEpcCapacityBoundBytes\":" << r.time_weighted_epc_capacity_bound_bytes;
    if (r.priced) out << ",\"timeWeightedCostPerHour\":" << r.time_weighted_cost_per_hour;
    out << ",\"consolidationIntervalSeconds\":" << r.consolidation_interval_seconds
        << ",\"consolidationRuns\":" << r.consolidation_runs << ",\"evictions\":" << r.evictions
        << ",\"evictionsPerHour\":" << r.evictions_per_hour
        << ",\"drainedNodes\":" << r.drained_nodes << ",\"infeasiblePlans\":" << r.infeasible_plans
        << ",\"evictedPending\":" << r.evicted_pending << ",\"decisions\":" << r.decisions
        << ",\"decisionMeanMicros\":" << r.decision_mean_us
        << ",\"decisionP99Micros\":" << r.decision_p99_us << "}";
  }
  out << "]}\n";
  return out.str();
}

namespace {

using Timeline = std::vector<std::pair<double, size_t>>;

// The plot's geometry: time → x, nodes → y.
struct SvgPlot {
  static constexpr double kWidth = 900, kHeight = 420, kLeft = 60, kRight = 220, kTop = 40,
                          kBottom = 50;
  double start = 0, end = 1;
  size_t top = 4;  // a multiple of 4: four whole-number ticks

  double width() const { return kWidth - kLeft - kRight; }
  double height() const { return kHeight - kTop - kBottom; }
  double x(double t) const { return kLeft + (t - start) / (end - start) * width(); }
  double y(double n) const { return kTop + height() - n / static_cast<double>(top) * height(); }
  std::string point(double px, double n) const { return fixed(px, 1) + "," + fixed(y(n), 1) + " "; }

  // A step line of the largest value within each horizontal pixel (short peaks stay visible,
  // the file stays small whatever the trace's length), with points only where it changes.
  std::string step_points(const Timeline& timeline) const {
    const size_t columns = static_cast<size_t>(width()) + 1;
    std::vector<long> column_max(columns, -1);
    const auto column = [&](double t) {
      return std::min(columns - 1, static_cast<size_t>(std::max(0.0, x(t) - kLeft)));
    };
    for (size_t k = 0; k < timeline.size(); ++k) {
      const double until = k + 1 < timeline.size() ? timeline[k + 1].first : end;
      for (size_t c = column(timeline[k].first); c <= column(until); ++c) {
        column_max[c] = std::max(column_max[c], static_cast<long>(timeline[k].second));
      }
    }
    std::string points;
    long previous = -1;
    for (size_t c = 0; c < columns; ++c) {
      if (column_max[c] < 0 || column_max[c] == previous) continue;
      const double px = kLeft + static_cast<double>(c);
      if (previous >= 0) points += point(px, static_cast<double>(previous));
      points += point(px, static_cast<double>(column_max[c]));
      previous = column_max[c];
    }
    if (previous >= 0) points += point(kLeft + width(), static_cast<double>(previous));
    return points;
  }
};

SvgPlot plot_for(const SimulationReport& report) {
  SvgPlot plot;
  plot.start = report.horizon_seconds;
  size_t top = 1;
  const auto widen = [&](const Timeline& timeline) {
    for (const auto& [time, count] : timeline) {
      plot.start = std::min(plot.start, time);
      top = std::max(top, count);
    }
  };
  for (const SimulationResult& r : report.results) widen(r.nodes_in_use_timeline);
  widen(report.bounds.volume_bound_timeline);
  plot.end = std::max(report.horizon_seconds, plot.start + 1);
  plot.top = (top + 3) / 4 * 4;
  return plot;
}

void svg_axes(std::ostream& svg, const SvgPlot& plot, const std::string& title) {
  const double left = SvgPlot::kLeft, bottom = plot.y(0);
  svg << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << left
      << "\" y=\"22\" font-size=\"14\">Confidential nodes in use: " << html_escape(title)
      << "</text>\n"
      << "<line x1=\"" << left << "\" y1=\"" << bottom << "\" x2=\"" << left + plot.width()
      << "\" y2=\"" << bottom << "\" stroke=\"black\"/>\n"
      << "<line x1=\"" << left << "\" y1=\"" << SvgPlot::kTop << "\" x2=\"" << left << "\" y2=\""
      << bottom << "\" stroke=\"black\"/>\n";
  for (int tick = 0; tick <= 4; ++tick) {
    const double n = static_cast<double>(plot.top) * tick / 4;
    svg << "<text x=\"" << left - 6 << "\" y=\"" << plot.y(n) + 4 << "\" text-anchor=\"end\">"
        << fixed(n, 0) << "</text>\n";
    const double t = plot.start + (plot.end - plot.start) * tick / 4;
    svg << "<text x=\"" << plot.x(t) << "\" y=\"" << bottom + 18 << "\" text-anchor=\"middle\">"
        << fixed((t - plot.start) / 3600, 1) << "h</text>\n";
  }
  svg << "<text x=\"" << left + plot.width() / 2 << "\" y=\"" << SvgPlot::kHeight - 10
      << "\" text-anchor=\"middle\">time since the first arrival</text>\n";
}

void svg_line(std::ostream& svg, const SvgPlot& plot, const Timeline& timeline, size_t legend_row,
              const std::string& colour, const std::string& dash, const std::string& label) {
  svg << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"1.5\"" << dash
      << " points=\"" << plot.step_points(timeline) << "\"/>\n";
  const double lx = SvgPlot::kLeft + plot.width() + 12;
  const double ly = SvgPlot::kTop + 16 * static_cast<double>(legend_row);
  svg << "<line x1=\"" << lx << "\" y1=\"" << ly << "\" x2=\"" << lx + 20 << "\" y2=\"" << ly
      << "\" stroke=\"" << colour << "\" stroke-width=\"2\"" << dash << "/><text x=\"" << lx + 26
      << "\" y=\"" << ly + 4 << "\">" << html_escape(label) << "</text>\n";
}

}  // namespace

std::string render_svg(const SimulationReport& report) {
  static constexpr const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                             "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  const SvgPlot plot = plot_for(report);
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << SvgPlot::kWidth << "\" height=\""
      << SvgPlot::kHeight << "\" viewBox=\"0 0 " << SvgPlot::kWidth << " " << SvgPlot::kHeight
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg_axes(svg, plot, report.workload);
  for (size_t i = 0; i < report.results.size(); ++i) {
    svg_line(svg, plot, report.results[i].nodes_in_use_timeline, i,
             kColours[i % std::size(kColours)], "", report.results[i].policy);
  }
  svg_line(svg, plot, report.bounds.volume_bound_timeline, report.results.size(), "gray",
           " stroke-dasharray=\"6 4\"", "volume bound (trace)");
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace epc
