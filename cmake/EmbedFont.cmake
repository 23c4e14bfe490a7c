# Turns the subset TTF into a C++ array (cmake -DINPUT=font.ttf -DOUTPUT=font.cpp -P EmbedFont.cmake).
file(READ ${INPUT} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){32})" "\\1\n" bytes "${bytes}")
file(WRITE ${OUTPUT} "// Generated from ${INPUT} by cmake/EmbedFont.cmake.\n"
  "#include \"kamusm/ui/font.hpp\"\n\n"
  "namespace kamusm::ui {\n\n"
  "namespace {\nalignas(4) const unsigned char fontBytes[] = {\n${bytes}\n};\n}\n\n"
  "std::span<const unsigned char> uiFontData() { return fontBytes; }\n\n"
  "} // namespace kamusm::ui\n")
