# ctest helper: no HTML, CSS or JavaScript text inside C++ sources — the report's
# markup lives in src/report/assets/. A code line (not a // comment) with an
# HTML element tag fails.
set(tags "html|head|body|main|header|footer|nav|section|div|span|p|a|b|i|code|pre|sub|sup|h[1-6]|ol|ul|li|table|caption|thead|tbody|tr|th|td|figure|figcaption|img|details|summary|script|style|meta|title|canvas|noscript|br")
file(GLOB_RECURSE sources "${SOURCE_DIR}/*.cpp" "${SOURCE_DIR}/*.h")
set(found "")
foreach(file ${sources})
  file(STRINGS "${file}" lines REGEX "<(/?(${tags})[ >/]|!DOCTYPE)")
  foreach(line ${lines})
    if(NOT line MATCHES "^[ \t]*//")
      file(RELATIVE_PATH relative "${SOURCE_DIR}" "${file}")
      string(APPEND found "  src/${relative}: ${line}\n")
    endif()
  endforeach()
endforeach()
if(found)
  message(FATAL_ERROR "markup in C++ sources (move it to src/report/assets/):\n${found}")
endif()
message("no markup in C++ sources")
