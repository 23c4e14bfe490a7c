// Card blocks from the fuzzer, to t1::parse and to a T=1 Protocol whose transport answers from the
// input until it runs dry and then times out. Only ccid::Error may escape; every block the host
// sends must frame correctly and fit the card's IFSC.
//
// Input: one option byte (bit 0 CRC, bit 1 let the transport fix each reply's epilogue, bit 2
// NAD 12, bits 3-4 what the host does first, bit 5 IFSC/IFSD 254 instead of 32), then card
// blocks, each as a length byte and that many bytes.
#include "kamusm/ccid/error.hpp"
#include "kamusm/ccid/t1.hpp"

#include <cstdlib>

using namespace kamusm;
using namespace kamusm::ccid;

namespace {

class FuzzCard : public BlockTransport {
public:
    FuzzCard(ByteView input, const t1::Parameters& parameters, const t1::Protocol*& protocol,
             bool fixEpilogue)
        : input_(input), parameters_(parameters), protocol_(protocol), fixEpilogue_(fixEpilogue) {}

    Task<Bytes> exchangeBlock(ByteView block, std::uint8_t) override {
        checkSent(block);
        if (input_.empty()) throw ccid::Error(ErrorCode::Timeout, "the fuzz input ran dry");
        const std::size_t length = std::min<std::size_t>(input_[0], input_.size() - 1);
        Bytes reply(input_.begin() + 1, input_.begin() + 1 + static_cast<std::ptrdiff_t>(length));
        input_ = input_.subspan(1 + length);
        if (fixEpilogue_ && reply.size() >= 3 && reply[2] != 0xFF && reply.size() >= 3u + reply[2])
            reply = t1::frame(reply[0], reply[1], ByteView(reply).subspan(3, reply[2]),
                              parameters_.edc);
        co_return reply;
    }

private:
    // What the host sends is always a well-framed block within the card's IFSC.
    void checkSent(ByteView block) const {
        std::optional<t1::Block> parsed;
        try {
            parsed = t1::parse(block, parameters_.edc);
        } catch (const ccid::Error&) {
            std::abort();
        }
        if (!parsed || parsed->nad != parameters_.nad) std::abort();
        if (parsed->information.size() > static_cast<std::size_t>(protocol_->parameters().ifsc) &&
            parsed->type() == t1::BlockType::I)
            std::abort();
    }

    ByteView input_;
    t1::Parameters parameters_;
    const t1::Protocol*& protocol_;
    bool fixEpilogue_;
};

Bytes apdu(std::size_t size) {
    Bytes out(size);
    for (std::size_t i = 0; i < size; ++i)
        out[i] = static_cast<std::uint8_t>(i);
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView input(data, size);
    if (input.empty()) return 0;
    const std::uint8_t options = input[0];
    t1::Parameters parameters;
    parameters.edc = options & 0x01 ? t1::Edc::Crc : t1::Edc::Lrc;
    parameters.nad = options & 0x04 ? 0x12 : 0x00;
    parameters.ifsc = parameters.ifsd = options & 0x20 ? 254 : 32;

    try {
        (void)t1::parse(input.subspan(1), parameters.edc);
    } catch (const ccid::Error&) {
    }

    const t1::Protocol* current = nullptr;
    FuzzCard card(input.subspan(1), parameters, current, options & 0x02);
    t1::Protocol protocol(card, parameters);
    current = &protocol;
    try {
        switch (options >> 3 & 0x03) {
        case 0:
            break;
        case 1:
            runSync(protocol.negotiateIfsd(254));
            break;
        case 2:
            runSync(protocol.resynch());
            break;
        case 3:
            (void)runSync(protocol.transceive(apdu(600)));
            break;
        }
    } catch (const ccid::Error&) {
    }
    for (std::size_t length : {5u, 300u}) {
        try {
            (void)runSync(protocol.transceive(apdu(length)));
        } catch (const ccid::Error&) {
        }
    }
    return 0;
}
