#include "scheduler/observability/status_page.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <string_view>
#include <vector>

#include "markup/html_escape.h"
#include "model/quantity.h"

namespace epc {
namespace {

using Clock = std::chrono::system_clock;

constexpr size_t kPodsShownPerNode = 8;  // more would turn a node row into a pod list

// Committed is solid blue, reserved striped amber (transient by nature), free pale green; an
// unschedulable node's bar is faded so that its free EPC does not read as available.
constexpr std::string_view kStyle = R"css(
:root{--committed:#3b5bdb;--reserved:#f59f00;--reserved2:#ffd166;--free:#b2e5c0;--free-edge:#6cc08b;
--ink:#1f2933;--muted:#5f6b7a;--line:#e3e6ea;--card:#fff;--bg:#f4f6f8;
--mono:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
header.top{background:#1e293b;color:#fff;padding:14px 24px;display:flex;align-items:center;
justify-content:space-between;gap:16px}
header.top h1{display:inline;font-size:20px;margin:0;font-weight:600;letter-spacing:.2px}
header.top .version{font-family:var(--mono);color:#cbd5e1;margin-left:10px;font-size:13px}
header.top .meta{display:flex;align-items:center;gap:14px;color:#cbd5e1;font-size:13px}
.readiness{padding:3px 10px;border-radius:999px;font-weight:600;font-size:13px}
.readiness.ready{background:#2b8a3e;color:#fff}
.readiness.not-ready{background:#e03131;color:#fff}
.banner.not-ready{background:#fff5f5;border:1px solid #ffa8a8;border-left:6px solid #e03131;
color:#862e2e;margin:16px 24px 0;padding:12px 16px;border-radius:6px;font-size:15px}
main{max-width:1240px;margin:0 auto;padding:8px 24px 32px}
section{margin-top:20px}
h2{font-size:16px;margin:0 0 10px;font-weight:600}
h2 .hint{font-weight:400;color:var(--muted);font-size:13px;margin-left:8px}
h3.pool-heading{font-size:14px;margin:16px 0 6px;color:var(--muted);font-weight:600}
h3.pool-heading .count{font-weight:400}
td.num,.mono{font-family:var(--mono);font-variant-numeric:tabular-nums}
.summary,.stale-views{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:10px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.4px}
.card .value{font-family:var(--mono);font-size:20px;font-weight:600;margin-top:2px}
.card .sub{color:var(--muted);font-size:12px}
.card.committed{border-top:4px solid var(--committed)}
.card.reserved{border-top:4px solid var(--reserved)}
.card.free{border-top:4px solid var(--free-edge)}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);
border-radius:8px;overflow:hidden}
th,td{padding:7px 10px;text-align:left;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#f8f9fb;color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;
letter-spacing:.4px}
td.num,th.num{text-align:right;white-space:nowrap}
tr:last-child td{border-bottom:none}
tr.pool-total td{font-weight:600;background:#f8f9fb}
.legend{display:flex;gap:18px;align-items:center;color:var(--muted);font-size:13px;margin-bottom:8px}
.swatch{display:inline-block;width:14px;height:14px;border-radius:3px;vertical-align:-2px;margin-right:6px}
.nodes{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:4px 14px}
div.node{display:grid;grid-template-columns:250px 1fr 330px;column-gap:16px;row-gap:2px;
padding:9px 0;border-bottom:1px solid var(--line);align-items:center}
div.node:last-child{border-bottom:none}
.node-name{font-family:var(--mono);font-weight:600;word-break:break-all}
.badge{display:inline-block;font-size:11px;font-weight:600;padding:1px 7px;border-radius:999px;
margin-left:6px;vertical-align:1px;font-family:system-ui,sans-serif}
.badge.unschedulable{background:#e9ecef;color:#495057;border:1px solid #ced4da}
.badge.overcommitted{background:#ffe3e3;color:#c92a2a;border:1px solid #ffa8a8}
.bar{display:flex;height:22px;border-radius:5px;overflow:hidden;background:#eef0f3;
border:1px solid #d5d9de}
.seg{height:100%}
.seg.committed,.swatch.committed{background:var(--committed)}
.seg.reserved,.swatch.reserved{background:repeating-linear-gradient(135deg,var(--reserved) 0 6px,
var(--reserved2) 6px 12px)}
.seg.free,.swatch.free{background:var(--free)}
.swatch.free{border:1px solid var(--free-edge)}
.node.unschedulable .bar{opacity:.45}
.node.unschedulable .node-name,.node.unschedulable .nums .f{color:var(--muted)}
.nums{font-family:var(--mono);font-variant-numeric:tabular-nums;font-size:13px;white-space:nowrap}
.nums .c{color:var(--committed);font-weight:600}
.nums .r{color:#c77700;font-weight:600}
.nums .f{color:#2b8a3e;font-weight:600}
.nums .of{color:var(--muted)}
.pods{grid-column:2/4;color:var(--muted);font-size:12px}
.pods .pod{font-family:var(--mono);margin-right:12px;white-space:nowrap}
.empty{color:var(--muted);padding:12px 0}
.outcome{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600}
.outcome.success{background:#d3f9d8;color:#2b8a3e}
.outcome.unschedulable{background:#fff3bf;color:#a45d00}
.outcome.error{background:#ffe3e3;color:#c92a2a}
.outcome.invalid{background:#e9ecef;color:#495057}
table.decisions td.reason{color:#343a40;word-break:break-word}
table.decisions td.when .ago{color:var(--muted);font-size:12px;display:block}
table.decisions .verb{font-family:var(--mono)}
table.decisions td.pod{font-family:var(--mono);min-width:210px;overflow-wrap:anywhere}
table.decisions td.target{min-width:200px;overflow-wrap:anywhere}
table.decisions th,table.decisions td.when{white-space:nowrap}
footer{color:var(--muted);font-size:12px;text-align:center;padding:18px}
)css";

void append(std::string& out, std::string_view text) {
  out.append(text);
}

std::string esc(std::string_view text) {
  return html_escape(text);
}

// Exact when short ("24Gi", "112Mi"); a sum of odd sizes ("172144Mi") is rounded to one decimal
// of the largest unit that keeps it at least 1 ("168.1Gi"), the exact bytes being in the title.
std::string display_bytes(int64_t bytes) {
  std::string exact = format_bytes(bytes);
  const size_t digits = exact.find_first_not_of("-0123456789");
  if (digits == std::string::npos ? exact.size() <= 5 : digits <= 4) return exact;
  static constexpr std::string_view kUnits[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  double value = static_cast<double>(bytes);
  std::string_view unit;
  for (std::string_view next : kUnits) {
    if (std::abs(value) < 1024) break;
    value /= 1024;
    unit = next;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return std::string(text) + std::string(unit);
}

std::string bytes_html(int64_t bytes) {
  return "<span title=\"" + std::to_string(bytes) + " bytes\">" + esc(display_bytes(bytes)) +
         "</span>";
}

// Share of `whole` as a CSS percentage, clamped to [0, 100].
std::string percent(int64_t part, int64_t whole) {
  double share = whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0;
  share = std::clamp(share, 0.0, 100.0);
  char text[16];
  std::snprintf(text, sizeof text, "%.2f%%", share);
  return text;
}

std::string used_percent(const EpcTotals& epc) {
  if (epc.capacity_bytes <= 0) return "–";
  const double used = 100.0 * static_cast<double>(epc.committed_bytes + epc.reserved_bytes) /
                      static_cast<double>(epc.capacity_bytes);
  char text[16];
  std::snprintf(text, sizeof text, "%.0f%%", used);
  return text;
}

std::string utc(Clock::time_point at, const char* format) {
  const std::time_t seconds = Clock::to_time_t(at);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[64];
  std::strftime(text, sizeof text, format, &parts);
  return text;
}

std::string format_duration(std::chrono::nanoseconds duration) {
  const double us = static_cast<double>(duration.count()) / 1000.0;
  char text[32];
  if (us < 1000) {
    std::snprintf(text, sizeof text, "%.0f µs", us);
  } else if (us < 1'000'000) {
    std::snprintf(text, sizeof text, "%.1f ms", us / 1000);
  } else {
    std::snprintf(text, sizeof text, "%.2f s", us / 1'000'000);
  }
  return text;
}

std::string ago(Clock::time_point now, Clock::time_point at) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - at).count();
  if (seconds < 1) return "just now";
  if (seconds < 120) return std::to_string(seconds) + "s ago";
  if (seconds < 7200) return std::to_string(seconds / 60) + "m ago";
  return std::to_string(seconds / 3600) + "h ago";
}

std::string pool_label(std::string_view pool) {
  return pool.empty() ? "(no pool)" : std::string(pool);
}

std::string plural(int64_t count, std::string_view one, std::string_view many) {
  return std::to_string(count) + " " + std::string(count == 1 ? one : many);
}

// data-capacity-bytes="..." data-committed-bytes="..." ... for an element with EPC totals.
std::string totals_attributes(const EpcTotals& epc) {
  return " data-capacity-bytes=\"" + std::to_string(epc.capacity_bytes) +
         "\" data-committed-bytes=\"" + std::to_string(epc.committed_bytes) +
         "\" data-reserved-bytes=\"" + std::to_string(epc.reserved_bytes) +
         "\" data-free-bytes=\"" + std::to_string(epc.free_bytes) + "\" data-epc-pods=\"" +
         std::to_string(epc.epc_pods) + "\"";
}

void render_head(std::string& out, const StatusPageInput& input) {
  append(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
  if (input.refresh_seconds > 0) {
    append(out, "<meta http-equiv=\"refresh\" content=\"" + std::to_string(input.refresh_seconds) +
                    "\">\n");
  }
  append(out, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
  append(out, "<title>epc-extender status</title>\n<style>");
  append(out, kStyle);
  append(out, "</style>\n</head>\n<body>\n");
}

void render_header(std::string& out, const StatusPageInput& input) {
  const Readiness& readiness = input.state.readiness;
  append(out, "<header class=\"top\">\n<div><h1>epc-extender</h1>");
  append(out, "<span class=\"version\">" + esc(input.version) + "</span></div>\n");
  append(out, "<div class=\"meta\"><span class=\"updated\">" +
                  utc(input.now, "%Y-%m-%d %H:%M:%S UTC") + "</span>");
  if (input.refresh_seconds > 0) {
    append(out, "<span>refreshes every " + std::to_string(input.refresh_seconds) + "s</span>");
  }
  if (readiness.ready) {
    append(out, "<span class=\"readiness ready\" data-ready=\"true\">● Ready</span>");
  } else {
    append(out, "<span class=\"readiness not-ready\" data-ready=\"false\">● Not ready</span>");
  }
  append(out, "</div>\n</header>\n");
  if (!readiness.ready) {
    append(out, "<div class=\"banner not-ready\" role=\"alert\"><strong>Not ready:</strong> " +
                    esc(readiness.reason.empty() ? "no reason given" : readiness.reason) +
                    "<br>Filter calls answer with an error and bind refuses until the cluster "
                    "state can be trusted; the numbers below may be stale.</div>\n");
  }
}

void render_card(std::string& out, std::string_view kind, std::string_view label,
                 const std::string& value_html, const std::string& sub) {
  append(out, "<div class=\"card " + std::string(kind) + "\"><div class=\"label\">" +
                  std::string(label) + "</div><div class=\"value\">" + value_html + "</div>");
  if (!sub.empty()) append(out, "<div class=\"sub\">" + sub + "</div>");
  append(out, "</div>\n");
}

void render_summary(std::string& out, const StateReport& state) {
  const EpcUsage& usage = state.usage;
  const auto schedulable = std::count_if(usage.nodes.begin(), usage.nodes.end(),
                                         [](const NodeUsage& node) { return node.schedulable; });
  append(out, "<section class=\"summary\"" + totals_attributes(usage.total) +
                  " data-confidential-nodes=\"" + std::to_string(usage.nodes.size()) +
                  "\" data-general-nodes=\"" + std::to_string(usage.general_nodes) +
                  "\" data-pending-pods=\"" + std::to_string(state.pending_pods) + "\">\n");
  render_card(out, "", "Confidential nodes", std::to_string(usage.nodes.size()),
              std::to_string(schedulable) + " schedulable · " +
                  std::to_string(usage.general_nodes) + " general");
  render_card(out, "", "EPC capacity", bytes_html(usage.total.capacity_bytes),
              used_percent(usage.total) + " used");
  render_card(out, "committed", "Committed", bytes_html(usage.total.committed_bytes),
              "by bound pods");
  render_card(out, "reserved", "Reserved", bytes_html(usage.total.reserved_bytes),
              "for pods being placed");
  render_card(out, "free", "Free", bytes_html(usage.total.free_bytes), "");
  render_card(out, "", "EPC pods", std::to_string(usage.total.epc_pods),
              std::to_string(state.pending_pods) + " pending");
  append(out, "</section>\n");
}

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, seconds < 10 ? "%.2f s" : "%.0f s", seconds);
  return text;
}

// Rechecks and waits: whether pods are being turned away on a stale view (StaleViews).
void render_stale_views(std::string& out, const StaleViewSummary& views) {
  append(out, "<section class=\"stale-views\">\n");
  append(out, "<div class=\"card rechecks\" data-reversed=\"" + std::to_string(views.reversed) +
                  "\" data-confirmed=\"" + std::to_string(views.confirmed) + "\" data-failed=\"" +
                  std::to_string(views.failed) + "\" data-reads=\"" + std::to_string(views.reads) +
                  "\"><div class=\"label\">Rechecks</div>" + "<div class=\"value\">" +
                  std::to_string(views.reversed) + " reversed</div><div class=\"sub\">" +
                  std::to_string(views.confirmed) + " confirmed · " + std::to_string(views.failed) +
                  " without all answers · " + std::to_string(views.reads) + " reads</div></div>\n");
  append(out,
         "<div class=\"card waits\" data-turned-away=\"" + std::to_string(views.turned_away) +
             "\" data-waits=\"" + std::to_string(views.waits) + "\" data-wait-p50-seconds=\"" +
             std::to_string(views.wait_p50_seconds) + "\" data-wait-max-seconds=\"" +
             std::to_string(views.wait_max_seconds) +
             "\"><div class=\"label\">Turned away, then placed</div><div class=\"value\">" +
             std::to_string(views.waits) + "</div><div class=\"sub\">" +
             (views.waits > 0 ? "waited " + seconds_text(views.wait_p50_seconds) + " (median), " +
                                    seconds_text(views.wait_max_seconds) + " (max) · "
                              : std::string()) +
             std::to_string(views.turned_away) + " still turned away</div></div>\n");
  append(out, "</section>\n");
}

// The live consolidation loop: which replica acts, what its last run did, what it plans.
void render_consolidation(std::string& out, const ConsolidationStatus& status) {
  const auto flag = [](bool value) { return value ? std::string("true") : std::string("false"); };
  append(out, "<section class=\"consolidation\" data-enabled=\"" + flag(status.enabled) +
                  "\" data-dry-run=\"" + flag(status.dry_run) + "\" data-leader=\"" +
                  flag(status.leader) + "\" data-evictions=\"" + std::to_string(status.evictions) +
                  "\" data-refused=\"" + std::to_string(status.evictions_refused) +
                  "\" data-failed=\"" + std::to_string(status.evictions_failed) +
                  "\" data-draining=\"" + std::to_string(status.draining.size()) + "\">\n");
  append(out, "<h2>Consolidation<span class=\"hint\">" +
                  esc(status.enabled ? (status.dry_run ? "dry run" : "on") : "off") + " · " +
                  esc(status.role.empty() ? "not started" : status.role) + "</span></h2>\n");
  append(out, "<p>Last run: " + esc(status.last_run_at.empty() ? "none yet" : status.last_run_at) +
                  (status.last_outcome.empty() ? "" : " · " + esc(status.last_outcome)) +
                  "</p>\n<p>" + std::to_string(status.evictions) + " evicted · " +
                  std::to_string(status.evictions_refused) + " refused · " +
                  std::to_string(status.evictions_failed) + " failed · " +
                  std::to_string(status.runs_completed) + " runs completed, " +
                  std::to_string(status.runs_skipped) + " skipped, " +
                  std::to_string(status.runs_failed) + " failed</p>\n");
  if (!status.draining.empty()) {
    append(out, "<p>Draining:</p><ul>\n");
    for (const std::string& node : status.draining) {
      append(out, "<li class=\"draining\">" + esc(node) + "</li>\n");
    }
    append(out, "</ul>\n");
  }
  if (!status.last_plan.empty()) {
    append(out, "<p>Last plan:</p><ul>\n");
    for (const std::string& line : status.last_plan) {
      append(out, "<li class=\"planned\">" + esc(line) + "</li>\n");
    }
    append(out, "</ul>\n");
  }
  append(out, "</section>\n");
}

void render_pool_cells(std::string& out, const EpcTotals& epc) {
  for (int64_t bytes :
       {epc.capacity_bytes, epc.committed_bytes, epc.reserved_bytes, epc.free_bytes}) {
    append(out, "<td class=\"num\">" + bytes_html(bytes) + "</td>");
  }
  append(out, "<td class=\"num\">" + used_percent(epc) + "</td><td class=\"num\">" +
                  std::to_string(epc.epc_pods) + "</td>");
}

void render_pools(std::string& out, const EpcUsage& usage) {
  append(out,
         "<section>\n<h2>Pools</h2>\n<table class=\"pools\">\n<thead><tr><th>Pool</th>"
         "<th class=\"num\">Nodes</th><th class=\"num\">Capacity</th>"
         "<th class=\"num\">Committed</th><th class=\"num\">Reserved</th>"
         "<th class=\"num\">Free</th><th class=\"num\">Used</th>"
         "<th class=\"num\">EPC pods</th></tr></thead>\n<tbody>\n");
  for (const PoolUsage& pool : usage.pools) {
    append(out, "<tr class=\"pool\" data-pool=\"" + esc(pool.name) + "\" data-nodes=\"" +
                    std::to_string(pool.nodes) + "\"" + totals_attributes(pool.epc) + "><td>" +
                    esc(pool_label(pool.name)) + "</td><td class=\"num\">" +
                    std::to_string(pool.nodes) + "</td>");
    render_pool_cells(out, pool.epc);
    append(out, "</tr>\n");
  }
  if (usage.pools.empty()) {
    append(out, "<tr><td colspan=\"8\" class=\"empty\">No confidential nodes.</td></tr>\n");
  } else if (usage.pools.size() > 1) {
    append(out, "<tr class=\"pool-total\"><td>All pools</td><td class=\"num\">" +
                    std::to_string(usage.nodes.size()) + "</td>");
    render_pool_cells(out, usage.total);
    append(out, "</tr>\n");
  }
  append(out, "</tbody>\n</table>\n</section>\n");
}

void render_bar(std::string& out, const EpcTotals& epc) {
  const int64_t capacity = epc.capacity_bytes;
  const int64_t committed = std::min(epc.committed_bytes, capacity);
  const int64_t reserved = std::min(epc.reserved_bytes, capacity - committed);
  append(out, "<div class=\"bar\">");
  const std::pair<std::string_view, int64_t> segments[] = {
      {"committed", committed}, {"reserved", reserved}, {"free", epc.free_bytes}};
  for (const auto& [kind, bytes] : segments) {
    if (bytes <= 0 || capacity <= 0) continue;
    append(out, "<div class=\"seg " + std::string(kind) +
                    "\" style=\"width:" + percent(bytes, capacity) + "\" title=\"" +
                    std::string(kind) + " " + esc(display_bytes(bytes)) + "\"></div>");
  }
  append(out, "</div>");
}

void render_node_pods(std::string& out, const StateReport& state, const std::string& node) {
  auto found = state.pods_by_node.find(node);
  if (found == state.pods_by_node.end() || found->second.empty()) return;
  const std::vector<PodOnNode>& pods = found->second;
  append(out, "<div class=\"pods\">");
  for (size_t i = 0; i < pods.size() && i < kPodsShownPerNode; ++i) {
    append(out, "<span class=\"pod\">" + esc(pods[i].namespace_name) + "/" + esc(pods[i].name) +
                    " " + esc(display_bytes(pods[i].epc_bytes)) + "</span>");
  }
  if (pods.size() > kPodsShownPerNode) {
    append(out, "and " + std::to_string(pods.size() - kPodsShownPerNode) + " more");
  }
  append(out, "</div>");
}

// The badge of a node that takes no new pods, in the words kubectl uses.
std::string_view unschedulable_label(FitCause cause) {
  switch (cause) {
    case FitCause::kCordoned:
      return "cordoned";
    case FitCause::kNotReady:
      return "NotReady";
    case FitCause::kInvalidCapacity:
      return "EPC unreadable";
    default:
      return "unschedulable";
  }
}

void render_node(std::string& out, const StateReport& state, const NodeUsage& node) {
  const EpcTotals& epc = node.epc;
  append(out, std::string("<div class=\"node") + (node.schedulable ? "" : " unschedulable") +
                  "\" data-node=\"" + esc(node.name) + "\" data-pool=\"" + esc(node.pool) +
                  "\" data-schedulable=\"" + (node.schedulable ? "true" : "false") + "\"" +
                  totals_attributes(epc) + ">\n");
  append(out, "<div><span class=\"node-name\">" + esc(node.name) + "</span>");
  if (!node.schedulable) {
    append(out, "<span class=\"badge unschedulable\" title=\"takes no new pods\">" +
                    std::string(unschedulable_label(node.unschedulable_cause)) + "</span>");
  }
  if (epc.committed_bytes > epc.capacity_bytes) {
    append(out, "<span class=\"badge overcommitted\">over-committed</span>");
  }
  append(out, "</div>");
  render_bar(out, epc);
  append(out, "<div class=\"nums\"><span class=\"c\">" + esc(display_bytes(epc.committed_bytes)) +
                  "</span> + <span class=\"r\">" + esc(display_bytes(epc.reserved_bytes)) +
                  "</span> + <span class=\"f\">" + esc(display_bytes(epc.free_bytes)) +
                  "</span> <span class=\"of\">of " + esc(display_bytes(epc.capacity_bytes)) +
                  " · " + used_percent(epc) + " · " + plural(epc.epc_pods, "pod", "pods") +
                  "</span></div>\n");
  render_node_pods(out, state, node.name);
  append(out, "</div>\n");
}

void render_nodes(std::string& out, const StateReport& state) {
  const EpcUsage& usage = state.usage;
  append(out,
         "<section>\n<h2>Confidential nodes<span class=\"hint\">EPC per node: committed + "
         "reserved + free of capacity</span></h2>\n");
  append(out,
         "<div class=\"legend\"><span><span class=\"swatch committed\"></span>committed "
         "(bound pods)</span><span><span class=\"swatch reserved\"></span>reserved (pods "
         "being placed)</span><span><span class=\"swatch free\"></span>free</span>"
         "<span>faded: unschedulable</span></div>\n");
  if (usage.nodes.empty()) {
    append(out,
           "<div class=\"nodes\"><div class=\"empty\">No confidential nodes: no node "
           "publishes SGX EPC or matches confidentialNodes.</div></div>\n</section>\n");
    return;
  }
  // One group per pool, from the nodes themselves so that none can be left out; headings only
  // when there is more than one pool to tell apart.
  std::map<std::string_view, std::vector<const NodeUsage*>> by_pool;
  for (const NodeUsage& node : usage.nodes) by_pool[node.pool].push_back(&node);
  for (const auto& [pool, nodes] : by_pool) {
    if (by_pool.size() > 1) {
      append(out,
             "<h3 class=\"pool-heading\">" + esc(pool_label(pool)) + " <span class=\"count\">· " +
                 plural(static_cast<int64_t>(nodes.size()), "node", "nodes") + "</span></h3>\n");
    }
    append(out, "<div class=\"nodes\">\n");
    for (const NodeUsage* node : nodes) render_node(out, state, *node);
    append(out, "</div>\n");
  }
  append(out, "</section>\n");
}

void render_decision(std::string& out, const DecisionEntry& entry, Clock::time_point now) {
  const std::string_view verb = to_string(entry.verb);
  const std::string_view outcome = to_string(entry.outcome);
  append(out, "<tr class=\"decision\" data-verb=\"" + std::string(verb) + "\" data-outcome=\"" +
                  std::string(outcome) + "\" data-pod=\"" + esc(entry.pod) + "\" data-node=\"" +
                  esc(entry.node) + "\">");
  append(out, "<td class=\"when mono\" title=\"" + utc(entry.at, "%Y-%m-%d %H:%M:%S UTC") + "\">" +
                  utc(entry.at, "%H:%M:%S") + "<span class=\"ago\">" + ago(now, entry.at) +
                  "</span></td>");
  append(out, "<td class=\"verb\">" + std::string(verb) + "</td>");
  append(out, "<td class=\"pod\">" + esc(entry.pod.empty() ? "–" : entry.pod) + "</td>");
  append(out, "<td class=\"num\">" +
                  (entry.epc_bytes > 0 ? esc(display_bytes(entry.epc_bytes)) : "–") + "</td>");
  append(out, "<td><span class=\"outcome " + std::string(outcome) + "\">" + std::string(outcome) +
                  "</span></td>");
  append(out, "<td class=\"target mono\">" + esc(entry.node.empty() ? "–" : entry.node) + "</td>");
  append(out, "<td class=\"num\">" + format_duration(entry.duration) + "</td>");
  append(out, "<td class=\"reason\">" + esc(entry.reason) + "</td></tr>\n");
}

void render_decisions(std::string& out, const StatusPageInput& input) {
  append(out,
         "<section>\n<h2>Recent decisions<span class=\"hint\">filter, bind and preempt, "
         "newest first</span></h2>\n<table class=\"decisions\">\n<thead><tr>"
         "<th>Time (UTC)</th><th>Verb</th><th>Pod</th><th class=\"num\">EPC</th>"
         "<th>Outcome</th><th>Node</th><th class=\"num\">Took</th><th>Reason</th></tr>"
         "</thead>\n<tbody>\n");
  for (const DecisionEntry& entry : input.decisions) render_decision(out, entry, input.now);
  if (input.decisions.empty()) {
    append(out, "<tr><td colspan=\"8\" class=\"empty\">No decisions yet.</td></tr>\n");
  }
  append(out, "</tbody>\n</table>\n</section>\n");
}

}  // namespace

std::string render_status_page(const StatusPageInput& input) {
  std::string out;
  out.reserve(16384);
  render_head(out, input);
  render_header(out, input);
  append(out, "<main>\n");
  render_summary(out, input.state);
  render_stale_views(out, input.stale_views);
  render_pools(out, input.state.usage);
  render_nodes(out, input.state);
  if (input.consolidation) render_consolidation(out, *input.consolidation);
  render_decisions(out, input);
  append(out, "</main>\n<footer>epc-extender " + esc(input.version) +
                  " · the same numbers as JSON: /debug/state</footer>\n</body>\n</html>\n");
  return out;
}

}  // namespace epc
