// The UI font: a subset of DejaVu Sans (ASCII, Latin-1, Latin Extended-A for Turkish) compiled
// into the program by cmake/WebApp.cmake.
#pragma once

#include <span>

namespace kamusm::ui {

std::span<const unsigned char> uiFontData();

} // namespace kamusm::ui
