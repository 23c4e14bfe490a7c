#include "reader_card.hpp"

#include "kamusm/ccid/error.hpp"
#include "kamusm/ccid/t0.hpp"
#include "kamusm/ccid/t1.hpp"
#include "kamusm/iso7816/error.hpp"
#include "kamusm/sim/card_t0.hpp"
#include "kamusm/sim/card_t1.hpp"
#include "kamusm/sim/line.hpp"

#include <algorithm>

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

    CardExchange tpdu(ByteView) override { throw CardFailure(); } // a T=1 card ignores T=0

    std::size_t startAtApduLevel(int ifsd) override {
        characters_ = 0;
        run(protocol_.negotiateIfsd(std::clamp(ifsd, 1, 254)));
        return characters_;
    }

    CardExchange apdu(ByteView command, std::uint8_t) override {
        characters_ = 0;
        wtxMultiplier_ = 0;
        Bytes response = run(protocol_.transceive(command));
        return {std::move(response), characters_, wtxMultiplier_};
    }

private:
    static constexpr std::uint8_t wtxRequest = 0xC3; // S(WTX request) PCB

    // The firmware's own T=1 run; when it gives up on the card, the reader reports ICC_MUTE.
    template <typename T> static T run(Task<T> task) {
        try {
            return runSync(std::move(task));
        } catch (const ccid::Error&) {
            throw CardFailure();
        }
    }

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
        if (reply.size() >= 4 && reply[1] == wtxRequest) wtxMultiplier_ = reply[3];
        co_return reply;
    }

    const iso7816::Atr atr_;
    Faults& faults_;
    T1Card card_;
    ccid::t1::Protocol protocol_;
    std::size_t characters_ = 0;
    std::uint8_t wtxMultiplier_ = 0; // the card's last S(WTX request) in this APDU
};

// T=0 characters between the reader's ccid::t0::ProcedureEngine and the card-side T0Card: a
// header goes to onHeader, the data an ACK asked for to onData; the card's characters queue up
// for receiveByte. Reading past them means the card has nothing more to say.
class T0Line : public ccid::t0::CharacterLine {
public:
    explicit T0Line(T0Card& card) : card_(card) {}
    ~T0Line() override { wipe(toCard_); }

    std::uint8_t receiveByte() override {
        if (next_ == fromCard_.size()) throw CardFailure();
        ++characters_;
        return fromCard_[next_++];
    }

    void sendBytes(ByteView bytes) override {
        characters_ += bytes.size();
        toCard_.insert(toCard_.end(), bytes.begin(), bytes.end());
        if (!card_.awaitingData() && toCard_.size() >= 5) {
            header_.assign(toCard_.begin(), toCard_.begin() + 5);
            toCard_.erase(toCard_.begin(), toCard_.begin() + 5);
            deliver(card_.onHeader(header_));
        }
        const std::size_t p3 = header_.size() == 5 ? header_[4] : 0;
        if (card_.awaitingData() && toCard_.size() >= p3) {
            Bytes data(toCard_.begin(), toCard_.begin() + static_cast<std::ptrdiff_t>(p3));
            const WipeOnExit wipeData(data); // VERIFY and CHANGE carry PINs
            toCard_.erase(toCard_.begin(), toCard_.begin() + static_cast<std::ptrdiff_t>(p3));
            deliver(card_.onData(data));
        }
    }

    // Characters on the line since the last call.
    std::size_t takeCharacters() { return std::exchange(characters_, 0); }
    // A new TPDU: whatever the card did not get to say is gone.
    void clear() {
        fromCard_.clear();
        next_ = 0;
        wipe(toCard_); // what erase() moved off its end is still in the buffer
    }

private:
    void deliver(const Bytes& characters) {
        fromCard_.insert(fromCard_.end(), characters.begin(), characters.end());
    }

    T0Card& card_;
    Bytes header_, toCard_, fromCard_;
    std::size_t next_ = 0;
    std::size_t characters_ = 0;
};

// T=0: TPDU-level readers run the host's TPDU through the procedure bytes; APDU-level readers
// first map the APDU to TPDUs (ISO/IEC 7816-3 §12.2), then follow 6Cxx and 61xx themselves.
class T0Link : public CardLink {
public:
    T0Link(VirtualCard& card, const iso7816::Atr& atr, Faults& faults)
        : atr_(atr), faults_(faults), card_(card), line_(card_) {}

    std::optional<Bytes> pps(ByteView request) override { return answerPps(atr_, request); }
    CardExchange block(ByteView) override { throw CardFailure(); } // a T=0 card ignores T=1
    std::size_t startAtApduLevel(int) override { return 0; }

    CardExchange tpdu(ByteView tpdu) override {
        timeExtension_ = 0;
        Bytes reply = transmit(tpdu);
        return {std::move(reply), line_.takeCharacters(), timeExtension_};
    }

    CardExchange apdu(ByteView command, std::uint8_t classGetResponse) override {
        iso7816::CommandApdu apdu;
        try {
            apdu = iso7816::CommandApdu::decode(command);
        } catch (const iso7816::Error&) {
            return {{0x67, 0x00}, 0}; // as the card itself answers what it cannot parse
        }
        const WipeOnExit wipeData(apdu.data);          // VERIFY and CHANGE carry PINs
        if (apdu.extended()) return {{0x67, 0x00}, 0}; // T=0 would need ENVELOPE
        timeExtension_ = 0;
        Bytes tpdu{apdu.cla, apdu.ins, apdu.p1, apdu.p2, 0x00};
        const WipeOnExit wipeTpdu(tpdu);
        if (!apdu.data.empty()) {
            tpdu[4] = static_cast<std::uint8_t>(apdu.data.size());
            tpdu.insert(tpdu.end(), apdu.data.begin(), apdu.data.end());
        } else if (apdu.le) {
            tpdu[4] = static_cast<std::uint8_t>(*apdu.le);
        }
        Bytes reply = transmit(tpdu);
        if (apdu.data.empty() && apdu.le && sw1(reply) == 0x6C) { // case 2: Le as the card says
            tpdu[4] = reply.back();
            reply = transmit(tpdu);
        }
        // Case 2 and 4: fetch what the card holds; a bounded number of rounds.
        Bytes data(reply.begin(), reply.end() - 2);
        for (int round = 0; apdu.le && sw1(reply) == 0x61 && round < maxGetResponses; ++round) {
            const std::uint8_t cla = classGetResponse == 0xFF ? apdu.cla : classGetResponse;
            reply = transmit(Bytes{cla, 0xC0, 0x00, 0x00, reply.back()});
            data.insert(data.end(), reply.begin(), reply.end() - 2);
        }
        data.insert(data.end(), reply.end() - 2, reply.end());
        return {std::move(data), line_.takeCharacters(), timeExtension_};
    }

private:
    static constexpr int maxGetResponses = 256;
    static std::uint8_t sw1(const Bytes& reply) { return reply[reply.size() - 2]; }

    // One TPDU through the procedure bytes. A card-WTX fault makes the card send a NULL first,
    // T=0's way of asking for more time.
    Bytes transmit(ByteView tpdu) {
        line_.clear();
        if (faults_.cardWtxRequests > 0) {
            --faults_.cardWtxRequests;
            card_.sendNullBytes(1);
            timeExtension_ = 1;
        }
        try {
            return ccid::t0::ProcedureEngine(line_).transmit(tpdu);
        } catch (const ccid::Error& error) {
            const auto code = error.code();
            if (code == ccid::ErrorCode::ProcedureByteConflict)
                throw CardFailure{SlotError::PROCEDURE_BYTE_CONFLICT};
            if (code == ccid::ErrorCode::Unsupported) // not a TPDU: abData is the field in error
                throw CardFailure{SlotError::abDataOffset};
            throw CardFailure();
        }
    }

    const iso7816::Atr atr_;
    Faults& faults_;
    T0Card card_;
    T0Line line_;
    std::uint8_t timeExtension_ = 0; // the card sent a NULL during this exchange
};

} // namespace

std::unique_ptr<CardLink> makeCardLink(VirtualCard& card, const iso7816::Atr& atr, Faults& faults) {
    if (card.protocol() == CardProtocol::T1) return std::make_unique<T1Link>(card, atr, faults);
    return std::make_unique<T0Link>(card, atr, faults);
}

} // namespace kamusm::sim
