#include "kamusm/sim/card_t1.hpp"

#include <algorithm>
#include <utility>

namespace kamusm::sim {

namespace {

constexpr int edcOk = 0, edcError = 1, otherError = 2;
constexpr std::uint8_t moreBit = 0x20;
// S-block PCBs: 11 0 R/S type (§11.3.2.2).
constexpr std::uint8_t resynchRequest = 0xC0, resynchResponse = 0xE0, ifsRequest = 0xC1,
                       ifsResponse = 0xE1, abortRequest = 0xC2, abortResponse = 0xE2,
                       wtxRequest = 0xC3, wtxResponse = 0xE3;

std::size_t edcSize(T1Edc edc) {
    return edc == T1Edc::Lrc ? 1 : 2;
}

} // namespace

std::uint8_t T1Card::lrc(ByteView bytes) {
    std::uint8_t sum = 0;
    for (auto byte : bytes)
        sum ^= byte;
    return sum;
}

std::uint16_t T1Card::crc(ByteView bytes) {
    std::uint16_t value = 0xFFFF;
    for (auto byte : bytes) {
        value ^= byte;
        for (int bit = 0; bit < 8; ++bit)
            value = static_cast<std::uint16_t>(value & 1 ? value >> 1 ^ 0x8408 : value >> 1);
    }
    return value;
}

Bytes T1Card::frame(std::uint8_t nad, std::uint8_t pcb, ByteView information, T1Edc edc) {
    // Sized once, so that no grown-out copy of a block carrying a PIN is left behind.
    Bytes block;
    block.reserve(3 + information.size() + 2);
    block.insert(block.end(), {nad, pcb, static_cast<std::uint8_t>(information.size())});
    block.insert(block.end(), information.begin(), information.end());
    if (edc == T1Edc::Lrc) {
        block.push_back(lrc(block));
    } else {
        const std::uint16_t value = crc(block);
        block.push_back(static_cast<std::uint8_t>(value >> 8));
        block.push_back(static_cast<std::uint8_t>(value));
    }
    return block;
}

T1Card::T1Card(VirtualCard& card, T1Edc edc) : card_(card), edc_(edc) {}

void T1Card::reset() {
    ifsd_ = defaultIfsd;
    cardSequence_ = hostSequence_ = 0;
    command_.clear();
    response_.clear();
    lastInformation_.clear();
    lastBlock_.clear();
    lastSent_ = Sent::Nothing;
    awaitingWtxResponse_ = false;
}

void T1Card::requestWtx(int commands, std::uint8_t multiplier) {
    wtxCommands_ = commands;
    wtxMultiplier_ = multiplier;
}

Bytes T1Card::receive(ByteView block) {
    const std::size_t epilogue = edcSize(edc_);
    if (block.size() < 3 + epilogue || block[2] == 0xFF || block[2] + 3 + epilogue != block.size())
        return receipt(otherError);
    const ByteView body = block.first(block.size() - epilogue);
    Bytes expected = frame(block[0], block[1], body.subspan(3), edc_);
    const WipeOnExit wipeExpected(expected); // the host's block: it may carry a PIN
    if (!std::equal(block.begin(), block.end(), expected.begin(), expected.end()))
        return receipt(edcError);
    // Reply with SAD and DAD swapped; VPP bits (8 and 4) are not used.
    nad_ = static_cast<std::uint8_t>((block[0] & 0x07) << 4 | (block[0] & 0x70) >> 4);
    const std::uint8_t pcb = block[1];
    const ByteView information = body.subspan(3);
    if (!(pcb & 0x80)) return onInformation(pcb, information);
    if (!(pcb & 0x40)) return information.empty() ? onReceipt(pcb) : receipt(otherError);
    return onSupervisory(pcb, information);
}

// I-block: 0 N(S) M 00000.
Bytes T1Card::onInformation(std::uint8_t pcb, ByteView information) {
    const int sequence = pcb >> 6 & 1;
    if ((pcb & 0x1F) || sequence != hostSequence_ || awaitingWtxResponse_ || !response_.empty())
        return receipt(otherError);
    hostSequence_ ^= 1;
    lastInformation_.clear(); // the host's I-block acknowledges the card's last one
    command_.insert(command_.end(), information.begin(), information.end());
    if (pcb & moreBit) return receipt(edcOk);
    Bytes command = std::exchange(command_, {});
    const WipeOnExit wipeCommand(command);
    response_ = card_.process(command).encode();
    if (wtxCommands_ > 0) {
        --wtxCommands_;
        awaitingWtxResponse_ = true;
        return send(wtxRequest, Bytes{wtxMultiplier_}, Sent::Supervisory);
    }
    return sendChunk();
}

// R-block: 1 0 0 N(R) error. §11.6.3.2: an N(R) equal to the N(S) of the card's last I-block
// asks for it again; the other value acknowledges it and asks for the next one of a chain.
Bytes T1Card::onReceipt(std::uint8_t pcb) {
    if ((pcb & 0x2C) || (pcb & 0x03) == 0x03) return receipt(otherError);
    if (awaitingWtxResponse_) return send(wtxRequest, Bytes{wtxMultiplier_}, Sent::Supervisory);
    const bool acknowledges = (pcb >> 4 & 1) == cardSequence_;
    if (!acknowledges && !lastInformation_.empty())
        return resend(lastInformation_, Sent::Information);
    if (acknowledges && !response_.empty()) return sendChunk();
    // The host missed the card's R-block or S-response: send it again.
    if (lastSent_ == Sent::Receipt || lastSent_ == Sent::Supervisory)
        return resend(lastBlock_, lastSent_);
    return receipt(otherError);
}

Bytes T1Card::onSupervisory(std::uint8_t pcb, ByteView information) {
    switch (pcb) {
    case resynchRequest:
        if (!information.empty()) break;
        reset();
        return send(resynchResponse, {}, Sent::Supervisory);
    case ifsRequest:
        if (information.size() != 1 || information[0] == 0x00 || information[0] == 0xFF) break;
        ifsd_ = information[0];
        return send(ifsResponse, information, Sent::Supervisory);
    case abortRequest:
        command_.clear();
        response_.clear();
        awaitingWtxResponse_ = false;
        return send(abortResponse, information, Sent::Supervisory);
    case wtxResponse:
        if (!awaitingWtxResponse_ || information.size() != 1 || information[0] != wtxMultiplier_)
            break;
        awaitingWtxResponse_ = false;
        return sendChunk();
    default:
        break;
    }
    return receipt(otherError);
}

Bytes T1Card::sendChunk() {
    const std::size_t size = std::min(response_.size(), static_cast<std::size_t>(ifsd_));
    const bool more = size < response_.size();
    const auto pcb = static_cast<std::uint8_t>(cardSequence_ << 6 | (more ? moreBit : 0));
    const Bytes chunk(response_.begin(), response_.begin() + static_cast<std::ptrdiff_t>(size));
    response_.erase(response_.begin(), response_.begin() + static_cast<std::ptrdiff_t>(size));
    cardSequence_ ^= 1;
    Bytes block = send(pcb, chunk, Sent::Information);
    lastInformation_ = lastBlock_;
    return block;
}

Bytes T1Card::receipt(int error) {
    return send(static_cast<std::uint8_t>(0x80 | hostSequence_ << 4 | error), {}, Sent::Receipt);
}

Bytes T1Card::send(std::uint8_t pcb, ByteView information, Sent kind) {
    return resend(frame(nad_, pcb, information, edc_), kind);
}

Bytes T1Card::resend(Bytes block, Sent kind) {
    lastBlock_ = std::move(block);
    lastSent_ = kind;
    return transmit(lastBlock_);
}

Bytes T1Card::transmit(const Bytes& block) {
    Bytes copy = block;
    if (corruptBlocks_ > 0) {
        --corruptBlocks_;
        copy.back() ^= 0xFF;
    }
    return copy;
}

} // namespace kamusm::sim
