#pragma once
// The report's interactive slice viewer: vanilla JavaScript embedded in the page
// (no network access, no library), reading viewer_data() JSON from
// <script type="application/json"> elements.
#include <string>
#include <vector>

namespace lrpseg {

// The JavaScript, to be placed in a <script> element after the viewer's markup.
const std::string& viewer_script();

// The viewer's container: the script fills it, reading the JSON blocks whose
// element ids are `data_ids` (embedded separately, e.g. by the report).
std::string viewer_container_html(const std::vector<std::string>& data_ids);

}  // namespace lrpseg
