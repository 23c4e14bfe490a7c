#include "kamusm/ccid/t1.hpp"

#include "kamusm/ccid/error.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace kamusm::ccid::t1 {

namespace {

// PCB coding (§11.3.2.2): I-block 0 N(S) M 00000, R-block 10 0 N(R) error, S-block 11 response
// type.
namespace pcb {
constexpr std::uint8_t rBlock = 0x80, sBlock = 0xC0;
constexpr std::uint8_t more = 0x20, sResponse = 0x20;
constexpr int iSequenceShift = 6, rSequenceShift = 4;
} // namespace pcb

enum SType : std::uint8_t { Resynch = 0, Ifs = 1, Abort = 2, Wtx = 3 };
constexpr std::uint8_t edcError = 1, otherError = 2; // R-block error bits

// Each S-block type: its name, the INF length, and the range of the INF byte when there is one.
struct SRule {
    const char* name;
    std::size_t length;
    std::uint8_t minimum, maximum;
};
constexpr std::array<SRule, 4> sRules{{
    {"RESYNCH", 0, 0, 0},
    {"IFS", 1, 1, 254}, // IFS 0 and 255 are RFU
    {"ABORT", 0, 0, 0},
    {"WTX", 1, 1, 255}, // a multiplier of 0 means nothing
}};

// A block is sent at most 3 times, once and twice again (§11.6.3, rule 7.4), before RESYNCH.
constexpr int maxAttempts = 3;
// The longest response APDU: 65536 data bytes and SW1 SW2.
constexpr std::size_t maxResponse = 65538;
constexpr std::size_t maxInformation = 254;
// A card that answers at once with S(WTX) or S(IFS) requests and nothing else would hold the
// host forever; a real one needs a few dozen even for key generation.
constexpr int maxCardRequests = 1000;

void countCardRequest(int& requests) {
    if (++requests > maxCardRequests)
        throw Error(ErrorCode::ProtocolError, "the card sent over " +
                                                  std::to_string(maxCardRequests) +
                                                  " S(request) blocks in one exchange");
}

std::size_t edcSize(Edc edc) {
    return edc == Edc::Lrc ? 1 : 2;
}

Bytes epilogue(ByteView bytes, Edc edc) {
    if (edc == Edc::Lrc) return {lrc(bytes)};
    const std::uint16_t value = crc(bytes);
    return {static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
}

enum class Framing { Ok, Unframed, EdcWrong };

Framing framing(ByteView bytes, Edc edc) {
    const std::size_t size = edcSize(edc);
    if (bytes.size() < 3 + size || bytes[2] == 0xFF || bytes.size() != 3 + bytes[2] + size)
        return Framing::Unframed;
    const Bytes expected = epilogue(bytes.first(bytes.size() - size), edc);
    const ByteView received = bytes.last(size);
    return std::equal(expected.begin(), expected.end(), received.begin(), received.end())
               ? Framing::Ok
               : Framing::EdcWrong;
}

// The card answers with source and destination swapped (§11.3.2.1).
std::uint8_t replyNad(std::uint8_t nad) {
    return static_cast<std::uint8_t>((nad & 0x07) << 4 | (nad >> 4 & 0x07));
}

// What the card may send: I-blocks no longer than IFSD (RFU bits ignored), R-blocks with a known
// error code and no INF, S-blocks of a known type with their INF; RESYNCH requests are the
// interface device's alone.
bool wellFormed(const Block& block, int ifsd) {
    switch (block.type()) {
    case BlockType::I:
        return block.information.size() <= static_cast<std::size_t>(ifsd);
    case BlockType::R:
        return block.information.empty() && !(block.pcb & 0x20) && block.rError() <= otherError;
    case BlockType::S:
        break;
    }
    if (block.sType() >= sRules.size() || (block.sType() == Resynch && !block.response()))
        return false;
    const SRule& rule = sRules[block.sType()];
    if (block.information.size() != rule.length) return false;
    return rule.length == 0 ||
           (block.information[0] >= rule.minimum && block.information[0] <= rule.maximum);
}

bool isRBlock(ByteView sent) {
    return (sent[1] & 0xC0) == pcb::rBlock;
}

std::string sName(std::uint8_t sType) {
    return std::string("S(") + sRules[sType].name;
}

} // namespace

std::uint8_t lrc(ByteView bytes) {
    std::uint8_t value = 0;
    for (std::uint8_t byte : bytes)
        value ^= byte;
    return value;
}

std::uint16_t crc(ByteView bytes) {
    std::uint16_t value = 0xFFFF;
    for (std::uint8_t byte : bytes) {
        value ^= byte;
        for (int bit = 0; bit < 8; ++bit)
            value = static_cast<std::uint16_t>(value & 1 ? value >> 1 ^ 0x8408 : value >> 1);
    }
    return value;
}

Bytes frame(std::uint8_t nad, std::uint8_t pcb, ByteView information, Edc edc) {
    if (information.size() > maxInformation)
        throw Error(ErrorCode::ProtocolError, "T=1 information field of " +
                                                  std::to_string(information.size()) +
                                                  " bytes is over 254");
    // Sized once: a vector that grows leaves its old copy, which may hold a PIN, to the allocator.
    Bytes out;
    out.reserve(3 + information.size() + 2);
    out.insert(out.end(), {nad, pcb, static_cast<std::uint8_t>(information.size())});
    out.insert(out.end(), information.begin(), information.end());
    const Bytes edcBytes = epilogue(out, edc);
    out.insert(out.end(), edcBytes.begin(), edcBytes.end());
    return out;
}

BlockType Block::type() const {
    if (!(pcb & 0x80)) return BlockType::I;
    return pcb & 0x40 ? BlockType::S : BlockType::R;
}

int Block::sequence() const {
    switch (type()) {
    case BlockType::I:
        return pcb >> pcb::iSequenceShift & 1;
    case BlockType::R:
        return pcb >> pcb::rSequenceShift & 1;
    case BlockType::S:
        break;
    }
    return 0;
}

bool Block::more() const {
    return type() == BlockType::I && (pcb & pcb::more);
}
int Block::rError() const {
    return pcb & 0x0F;
}
bool Block::response() const {
    return pcb & pcb::sResponse;
}
std::uint8_t Block::sType() const {
    return pcb & 0x1F;
}

std::optional<Block> parse(ByteView bytes, Edc edc) {
    switch (framing(bytes, edc)) {
    case Framing::Unframed:
        throw Error(ErrorCode::ProtocolError, "a T=1 block of " + std::to_string(bytes.size()) +
                                                  " bytes does not match its LEN and epilogue");
    case Framing::EdcWrong:
        return std::nullopt;
    case Framing::Ok:
        break;
    }
    return Block{bytes[0], bytes[1], Bytes(bytes.begin() + 3, bytes.end() - edcSize(edc))};
}

Protocol::Protocol(BlockTransport& transport, Parameters parameters)
    : transport_(transport), parameters_(parameters), initialIfsc_(parameters.ifsc) {}

Bytes Protocol::block(std::uint8_t pcb, ByteView information) const {
    return frame(parameters_.nad, pcb, information, parameters_.edc);
}

Protocol::Received Protocol::check(ByteView bytes) const {
    switch (framing(bytes, parameters_.edc)) {
    case Framing::Unframed:
        return {{}, otherError};
    case Framing::EdcWrong:
        return {{}, edcError};
    case Framing::Ok:
        break;
    }
    Block block{bytes[0], bytes[1],
                Bytes(bytes.begin() + 3, bytes.end() - edcSize(parameters_.edc))};
    if (block.nad != replyNad(parameters_.nad) || !wellFormed(block, parameters_.ifsd))
        return {{}, otherError};
    return {std::move(block), 0};
}

Task<Protocol::Received> Protocol::exchange(ByteView block, std::uint8_t bwiMultiplier) {
    Bytes reply;
    try {
        reply = co_await transport_.exchangeBlock(block, bwiMultiplier);
    } catch (const Error& error) {
        // The reader saw a parity error on the card's block: the R-block's EDC/parity case.
        if (error.code() != ErrorCode::ParityError) throw;
        co_return Received{{}, edcError};
    }
    co_return check(reply);
}

// Sends S(request) until the matching S(response) with the same INF arrives (rule 7.3),
// answering the card's S(WTX request) on the way.
Task<Block> Protocol::requestS(std::uint8_t sType, Bytes information) {
    const Bytes request = block(pcb::sBlock | sType, information);
    Bytes sent = request;
    std::uint8_t bwiMultiplier = 1;
    int cardRequests = 0;
    for (int failures = 0; failures < maxAttempts;) {
        const Received received = co_await exchange(sent, std::exchange(bwiMultiplier, 1));
        if (received.block && received.block->type() == BlockType::S) {
            const Block& answer = *received.block;
            if (answer.response() && answer.sType() == sType && answer.information == information)
                co_return answer;
            if (!answer.response() && answer.sType() == Wtx) {
                sent = block(pcb::sBlock | pcb::sResponse | Wtx, answer.information);
                bwiMultiplier = answer.information[0];
                countCardRequest(cardRequests);
                continue;
            }
        }
        ++failures;
        sent = request;
    }
    throw Error(ErrorCode::ProtocolError, "the card did not answer " + sName(sType) + " request) " +
                                              std::to_string(maxAttempts) + " times");
}

Task<void> Protocol::resynch() {
    needResynch_ = true;
    co_await requestS(Resynch, {});
    sendSequence_ = receiveSequence_ = 0;
    // The card may have gone back to its ATR's IFSC or kept a later S(IFS): the smaller suits both.
    parameters_.ifsc = std::min(parameters_.ifsc, initialIfsc_);
    needResynch_ = false;
}

Task<void> Protocol::negotiateIfsd(int ifsd) {
    if (ifsd < 1 || ifsd > static_cast<int>(maxInformation))
        throw Error(ErrorCode::Unsupported, "IFSD " + std::to_string(ifsd) + " is not 1..254");
    if (needResynch_) co_await resynch();
    needResynch_ = true;
    const Bytes information{static_cast<std::uint8_t>(ifsd)};
    co_await requestS(Ifs, information);
    parameters_.ifsd = ifsd;
    needResynch_ = false;
}

Task<Bytes> Protocol::transceive(ByteView apdu) {
    if (needResynch_) co_await resynch();
    // Stays set if anything below throws, so that the next exchange starts with RESYNCH.
    needResynch_ = true;
    Bytes response = co_await exchangeApdu(apdu);
    needResynch_ = false;
    co_return response;
}

Task<Bytes> Protocol::exchangeApdu(ByteView apdu) {
    std::size_t offset = 0, length = 0; // the APDU bytes in our I-block in flight
    auto iBlock = [&] {
        length = std::min(apdu.size() - offset, static_cast<std::size_t>(parameters_.ifsc));
        const bool more = offset + length < apdu.size();
        return block(static_cast<std::uint8_t>(sendSequence_ << pcb::iSequenceShift |
                                               (more ? pcb::more : 0)),
                     apdu.subspan(offset, length));
    };
    auto rBlock = [&](std::uint8_t errorBits) {
        return block(static_cast<std::uint8_t>(
            pcb::rBlock | receiveSequence_ << pcb::rSequenceShift | errorBits));
    };
    bool receiving = false; // the card has started its answer: our I-blocks are all acknowledged
    Bytes response;
    int failures = 0, cardRequests = 0;
    std::uint8_t bwiMultiplier = 1;
    Bytes sent = iBlock();
    const WipeOnExit wipeSent(sent); // the last I-block may carry a PIN
    for (;;) {
        const Received received = co_await exchange(sent, std::exchange(bwiMultiplier, 1));
        Bytes next;
        bool failed = false;
        // Rules 7.1 and 7.2: an invalid block is answered by an R-block asking for the expected
        // I-block, or by our last R-block again.
        auto reject = [&](std::uint8_t errorBits) {
            failed = true;
            next = isRBlock(sent) ? sent : rBlock(errorBits);
        };
        if (!received.block) {
            reject(received.errorBits);
        } else {
            const Block& card = *received.block;
            switch (card.type()) {
            case BlockType::I:
                // A chained I-block of ours must be acknowledged by an R-block, not answered.
                if (card.sequence() != receiveSequence_ ||
                    (!receiving && offset + length < apdu.size())) {
                    reject(otherError);
                    break;
                }
                if (!receiving) sendSequence_ ^= 1; // the card's answer acknowledges our I-block
                receiving = true;
                receiveSequence_ ^= 1;
                if (response.size() + card.information.size() > maxResponse)
                    throw Error(ErrorCode::ProtocolError,
                                "the card's chained response is over 65538 bytes");
                response.insert(response.end(), card.information.begin(), card.information.end());
                if (!card.more()) co_return response;
                next = rBlock(0);
                failures = 0;
                break;
            case BlockType::R:
                if (receiving) { // the card missed our R-block
                    failed = true;
                    next = sent;
                } else if (card.sequence() == sendSequence_) { // the card missed our I-block
                    failed = true;
                    next = iBlock();
                } else if (offset + length < apdu.size()) { // R(N(S)+1): the chain goes on
                    sendSequence_ ^= 1;
                    offset += length;
                    next = iBlock();
                    failures = 0;
                } else { // an acknowledgement for an unchained I-block
                    reject(otherError);
                }
                break;
            case BlockType::S:
                if (card.response()) {
                    reject(otherError);
                    break;
                }
                switch (card.sType()) {
                case Wtx: // rule 3: the next wait is INF times BWT
                    bwiMultiplier = card.information[0];
                    break;
                case Ifs: // rule 4: the card's new IFSC applies to our next I-block
                    parameters_.ifsc = card.information[0];
                    break;
                case Abort:
                    co_await exchange(block(pcb::sBlock | pcb::sResponse | Abort), 1);
                    throw Error(ErrorCode::ProtocolError,
                                "the card aborted the exchange with S(ABORT request)");
                }
                countCardRequest(cardRequests);
                next = block(pcb::sBlock | pcb::sResponse | card.sType(), card.information);
                break;
            }
        }
        if (failed && ++failures == maxAttempts) {
            co_await resynch();
            throw Error(ErrorCode::ProtocolError, "no valid T=1 block after " +
                                                      std::to_string(maxAttempts) +
                                                      " attempts; the card was resynchronised");
        }
        sent = std::move(next);
    }
}

} // namespace kamusm::ccid::t1
