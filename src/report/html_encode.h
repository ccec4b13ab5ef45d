#pragma once
// Text encodings of the self-contained report: HTML escaping, base64 for
// embedded images and viewer volumes, and JSON that may sit inside <script>.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace lrpseg {

// Escapes & < > " ' so the text is safe as element content and attribute value.
std::string html_escape(const std::string& text);

std::string base64_encode(const uint8_t* data, size_t size);
std::string base64_encode(const std::string& bytes);

// Throws lrpseg::Error on characters outside the base64 alphabet.
std::string base64_decode(const std::string& text);

// JSON text for <script type="application/json">: every '<' becomes \u003c so
// the data can neither close the script element nor open a comment in it.
std::string json_for_script(const nlohmann::json& value);

}  // namespace lrpseg
