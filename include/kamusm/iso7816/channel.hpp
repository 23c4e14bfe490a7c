// A card channel moves APDUs. The reader layer provides the raw one (one command, one
// response); `transmit` adds what ISO 7816-4 asks of the host: 61xx GET RESPONSE, 6Cxx re-send
// with the right Le, and command chaining for data longer than one short APDU.
#pragma once

#include "kamusm/base/task.hpp"
#include "kamusm/iso7816/apdu.hpp"

namespace kamusm::iso7816 {

class Channel {
public:
    virtual ~Channel() = default;
    // One exchange, exactly as given; throws the transport layer's errors.
    virtual Task<ResponseApdu> transmitRaw(const CommandApdu& command) = 0;
    // Whether the channel carries extended APDUs end to end.
    virtual bool extendedApdus() const = 0;
};

// Sends `command`, following 61xx with GET RESPONSE (concatenating data) and answering 6Cxx by
// re-sending with Le = xx; data longer than the channel allows goes as a CLA-chained sequence.
Task<ResponseApdu> transmit(Channel& channel, CommandApdu command);

} // namespace kamusm::iso7816
