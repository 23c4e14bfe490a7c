# Turns the rendered API reference into a C++ string (cmake -DINPUT=api-docs.html
# -DOUTPUT=api_docs.cpp -P EmbedApiDocs.cmake).
file(READ ${INPUT} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){32})" "\\1\n" bytes "${bytes}")
file(WRITE ${OUTPUT} "// Generated from ${INPUT} by cmake/EmbedApiDocs.cmake.\n"
  "#include \"kamusm/server/api_docs.hpp\"\n\n"
  "namespace kamusm::server {\n\n"
  "namespace {\nconst unsigned char docsBytes[] = {\n${bytes}\n};\n}\n\n"
  "std::string_view apiDocsHtml() {\n"
  "    return {reinterpret_cast<const char*>(docsBytes), sizeof docsBytes};\n}\n\n"
  "} // namespace kamusm::server\n")
