// An optional observer of everything the stack puts on the wire, for `pinctl --trace` and tests.
#pragma once

#include "kamusm/base/bytes.hpp"

namespace kamusm::ccid {

enum class TraceKind { CcidOut, CcidIn, InterruptIn, T1Out, T1In, ApduCommand, ApduResponse };

class Trace {
public:
    virtual ~Trace() = default;
    virtual void record(TraceKind kind, ByteView bytes) = 0;
};

} // namespace kamusm::ccid
