// HTML escaping for text and attribute values in pages the extender renders (and in the
// simulator's SVG plots, where the same five entities are valid XML). Node names, pod names
// and reasons come from the cluster (and reasons quote pod annotations), so every interpolated
// string goes through this: a label value must never become markup on an operator's screen.
#pragma once

#include <string>
#include <string_view>

namespace epc {

// Escapes & < > " ' so the result is safe both as element text and inside a quoted attribute.
std::string html_escape(std::string_view text);

}  // namespace epc
