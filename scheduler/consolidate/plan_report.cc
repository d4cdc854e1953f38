#include "scheduler/consolidate/plan_report.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "model/quantity.h"
#include "scheduler/wire/json_writer.h"

namespace epc {
namespace {

using Row = std::vector<std::string>;

// Columns padded to their widest cell, two spaces apart, as kubectl prints tables.
void append_table(std::string& out, const std::vector<Row>& rows) {
  std::vector<size_t> widths;
  for (const Row& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const Row& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
}

std::string price_text(double price) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", price);
  return text;
}

std::string pod_name(const PlannedMove& move) {
  return move.namespace_name + "/" + move.name;
}

}  // namespace

std::string format_plan_table(const ClusterPlan& result) {
  const ConsolidationPlan& plan = result.plan;
  std::string out;
  out += "Consolidation plan: " + std::to_string(plan.drained.size()) + " node(s) to empty, " +
         std::to_string(plan.evictions) + " eviction(s), " + format_bytes(plan.freed_epc_bytes) +
         " of EPC freed";
  if (plan.freed_price_per_hour > 0)
    out += ", " + price_text(plan.freed_price_per_hour) + " per hour";
  out += "\n";
  if (result.live_run_skipped) {
    out += "A live run would not act now: " + *result.live_run_skipped + "\n";
  }
  if (!plan.drained.empty()) {
    std::vector<Row> rows{{"NODE", "EPC", "POD", "POD EPC", "TO"}};
    for (const DrainedNode& node : plan.drained) {
      bool first = true;
      for (const PlannedMove& move : node.moves) {
        rows.push_back({first ? node.node : "", first ? format_bytes(node.epc_capacity_bytes) : "",
                        pod_name(move), format_bytes(move.epc_bytes), move.to});
        first = false;
      }
      if (node.moves.empty()) {
        rows.push_back(
            {node.node, format_bytes(node.epc_capacity_bytes), "(no pods to move)", "", ""});
      }
    }
    out += "\n";
    append_table(out, rows);
  }
  if (!plan.kept.empty()) {
    std::vector<Row> rows{{"NODE LEFT ALONE", "POD", "REASON"}};
    for (const KeptNode& node : plan.kept) {
      rows.push_back({node.node, node.pod.empty() ? "-" : node.pod, node.reason});
    }
    out += "\n";
    append_table(out, rows);
  }
  // Drains begun by serve's live loop (the drain taint): left out of the plan, or ending now.
  const DrainReview& drains = result.drains;
  if (!drains.draining.empty() || !drains.ended.empty()) {
    std::vector<Row> rows{{"DRAINING NODE", "STATE"}};
    for (const std::string& node : drains.draining) rows.push_back({node, "draining"});
    for (const EndedDrain& ended : drains.ended) {
      rows.push_back({ended.node, std::string(ended.emptied ? "drain done" : "drain unfinished") +
                                      ": " + ended.reason + "; a live run removes the taint"});
    }
    out += "\n";
    append_table(out, rows);
  }
  return out;
}

std::string format_plan_json(const ClusterPlan& result) {
  const ConsolidationPlan& plan = result.plan;
  std::string out = "{\"nodesToEmpty\":" + std::to_string(plan.drained.size()) +
                    ",\"evictions\":" + std::to_string(plan.evictions) +
                    ",\"freedEpcBytes\":" + std::to_string(plan.freed_epc_bytes);
  if (plan.freed_price_per_hour > 0) {
    out += ",\"freedPricePerHour\":" + price_text(plan.freed_price_per_hour);
  }
  if (result.live_run_skipped) {
    out += ",\"liveRunSkipped\":";
    append_json_string(out, *result.live_run_skipped);
  }
  out += ",\"drained\":[";
  for (size_t n = 0; n < plan.drained.size(); ++n) {
    const DrainedNode& node = plan.drained[n];
    out += n ? ",{\"node\":" : "{\"node\":";
    append_json_string(out, node.node);
    out += ",\"epcCapacityBytes\":" + std::to_string(node.epc_capacity_bytes);
    if (node.price_per_hour) out += ",\"pricePerHour\":" + price_text(*node.price_per_hour);
    out += ",\"moves\":[";
    for (size_t m = 0; m < node.moves.size(); ++m) {
      const PlannedMove& move = node.moves[m];
      out += m ? ",{\"namespace\":" : "{\"namespace\":";
      append_json_string(out, move.namespace_name);
      out += ",\"name\":";
      append_json_string(out, move.name);
      out += ",\"pod\":";
      append_json_string(out, move.pod);
      out += ",\"epcBytes\":" + std::to_string(move.epc_bytes) + ",\"from\":";
      append_json_string(out, move.from);
      out += ",\"to\":";
      append_json_string(out, move.to);
      out += "}";
    }
    out += "]}";
  }
  out += "],\"kept\":[";
  for (size_t k = 0; k < plan.kept.size(); ++k) {
    const KeptNode& node = plan.kept[k];
    out += k ? ",{\"node\":" : "{\"node\":";
    append_json_string(out, node.node);
    out += ",\"pod\":";
    append_json_string(out, node.pod);
    out += ",\"reason\":";
    append_json_string(out, node.reason);
    out += "}";
  }
  out += "],\"draining\":[";
  for (size_t d = 0; d < result.drains.draining.size(); ++d) {
    if (d) out += ",";
    append_json_string(out, result.drains.draining[d]);
  }
  out += "],\"drainsEnding\":[";
  for (size_t e = 0; e < result.drains.ended.size(); ++e) {
    const EndedDrain& ended = result.drains.ended[e];
    out += e ? ",{\"node\":" : "{\"node\":";
    append_json_string(out, ended.node);
    out += std::string(",\"emptied\":") + (ended.emptied ? "true" : "false") + ",\"reason\":";
    append_json_string(out, ended.reason);
    out += "}";
  }
  out += "]}\n";
  return out;
}

}  // namespace epc
