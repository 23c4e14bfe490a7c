#include "reader_card.hpp"

#include "kamusm/ccid/error.hpp"
#include "kamusm/ccid/t1.hpp"
#include "kamusm/sim/card_t1.hpp"
#include "kamusm/sim/line.hpp"

namespace kamusm::sim {

namespace {

// The card's side of PPS (ISO/IEC 7816-3 §9): a request that is malformed, fails its check
// byte or names a protocol the ATR does not offer gets no answer. PPS1 is granted when it is the
// default rate or the card's own Fi with a Di no higher than the ATR's; otherwise the response
// leaves PPS1 out, which keeps the default rate. PPS2/PPS3 are never granted.
std::optional<Bytes> answerPps(const iso7816::Atr& atr, ByteView request) {
    if (request.size() < 3 || request[0] != 0xFF) return std::nullopt;
    const std::uint8_t pps0 = request[1];
    const std::size_t size = 3u + ((pps0 >> 4) & 1) + ((pps0 >> 5) & 1) + ((pps0 >> 6) & 1);
    std::uint8_t check = 0;
    for (std::uint8_t byte : request)
        check ^= byte;
    if (request.size() != size || check != 0 || pps0 & 0x80 || !atr.offers(pps0 & 0x0F))
        return std::nullopt;
    Bytes response{0xFF, static_cast<std::uint8_t>(pps0 & 0x0F)};
    if (pps0 & 0x10) {
        const std::uint8_t fidi = request[2];
        const int di = diOf(fidi);
        const bool granted = fidi == Line::defaultFidi ||
                             (fiOf(fidi) == atr.fi() && di > 0 && atr.di() && di <= *atr.di());
        if (granted) {
            response[1] |= 0x10;
            response.push_back(fidi);
        }
    }
    std::uint8_t pck = 0;
    for (std::uint8_t byte : response)
        pck ^= byte;
    response.push_back(pck);
    return response;
}

// T=1 (AKIS): TPDU-level readers pass the host's blocks to the card; APDU-level readers run
// ccid::t1::Protocol, the same engine a host uses, against the card-side T1Card.
class T1Link : public CardLink, private ccid::BlockTransport {
public:
    T1Link(VirtualCard& card, const iso7816::Atr& atr, Faults& faults)
        : atr_(atr), faults_(faults), card_(card, atr.crc() ? T1Edc::Crc : T1Edc::Lrc),
          protocol_(*this, {0x00, atr.ifsc(), T1Card::defaultIfsd,
                            atr.crc() ? ccid::t1::Edc::Crc : ccid::t1::Edc::Lrc}) {}

    std::optional<Bytes> pps(ByteView request) override { return answerPps(atr_, request); }

    CardExchange block(ByteView block) override {
        const Bytes reply = toCard(block);
        return {reply, block.size() + reply.size()};
    }

    CardExchange tpdu(ByteView) override { throw CardSilent(); } // a T=1 card ignores T=0

    std::size_t startAtApduLevel(int ifsd) override {
        characters_ = 0;
        runSync(protocol_.negotiateIfsd(std::min(ifsd, 254)));
        return characters_;
    }

    CardExchange apdu(ByteView command, std::uint8_t) override {
        characters_ = 0;
        try {
            Bytes response = runSync(protocol_.transceive(command));
            return {std::move(response), characters_};
        } catch (const ccid::Error&) {
            throw CardSilent(); // the firmware gave up on the card: it reports ICC_MUTE
        }
    }

private:
    // The faults that act on the card's blocks are handed to T1Card one block at a time.
    Bytes toCard(ByteView block) {
        if (faults_.cardWtxRequests > 0) {
            card_.requestWtx(faults_.cardWtxRequests);
            faults_.cardWtxRequests = 0;
        }
        if (faults_.corruptT1Blocks > 0) {
            --faults_.corruptT1Blocks;
            card_.corruptNextBlocks(1);
        }
        return card_.receive(block);
    }

    Task<Bytes> exchangeBlock(ByteView block, std::uint8_t) override {
        Bytes reply = toCard(block);
        characters_ += block.size() + reply.size();
        co_return reply;
    }

    const iso7816::Atr atr_;
    Faults& faults_;
    T1Card card_;
    ccid::t1::Protocol protocol_;
    std::size_t characters_ = 0;
};

} // namespace

std::unique_ptr<CardLink> makeCardLink(VirtualCard& card, const iso7816::Atr& atr, Faults& faults) {
    return std::make_unique<T1Link>(card, atr, faults);
}

} // namespace kamusm::sim
