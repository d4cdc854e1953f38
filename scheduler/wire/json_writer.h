// Appending JSON text to a string: strings, and sorted string maps.
//
// Replies are written straight into one buffer rather than built as a DOM: a filter reply for 5000
// candidates holds thousands of reasons, and a DOM (nlohmann's ordered_json looks keys up linearly)
// cost more than the whole decision. Strings come out valid UTF-8 even when a message quotes bytes
// from a malformed request: invalid sequences become U+FFFD, as nlohmann's `replace` handler does.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace epc {

// Appends `text` as a quoted, escaped JSON string.
void append_json_string(std::string& out, std::string_view text);

// Appends a JSON object of string values with keys in sorted order (as Go's encoding/json writes a
// map); for a repeated key the last value wins. Values that view the same text (the same data and
// size) are escaped once and copied after that: a filter's reasons repeat across thousands of
// nodes.
void append_json_string_map(
    std::string& out, const std::vector<std::pair<std::string_view, std::string_view>>& entries);

}  // namespace epc
