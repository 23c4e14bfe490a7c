// Real readers' USB configuration descriptors for the test suites: the table in
// kamusm/ccid/known_readers.hpp (each entry names the LudovicRousseau/CCID readers/*.txt file
// its values come from), plus variants built from them for the layouts some readers use.
#pragma once

#include "kamusm/ccid/known_readers.hpp"

using kamusm::ccid::KnownReader;
using kamusm::ccid::knownReader;
using kamusm::ccid::knownReaders;
