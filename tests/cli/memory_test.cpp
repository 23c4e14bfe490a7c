// No PIN left in pinctl's memory: with the memory-scan test hook on, pinctl looks through its own
// heap and writable mappings once the command is over, for the PINs typed (ASCII, BCD, UTF-16),
// after every card operation and every PIN operation against a real server process.
#include "server/server_process.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace {

// Twelve digits each, so that no other number in memory matches by chance (in BCD too).
constexpr const char* newPin = "731846259017";
constexpr const char* wrongPin = "582039471628";
constexpr unsigned char mask = 0xA5;

std::string masked(const std::string& pin) {
    std::string hex;
    char byte[3];
    for (char digit : pin) {
        std::snprintf(byte, sizeof byte, "%02x", static_cast<unsigned char>(digit) ^ mask);
        hex += byte;
    }
    return hex;
}

struct Scan {
    int ascii = -1, bcd = -1, utf16 = -1;
    long bytes = 0;
};

// Runs pinctl with the hook looking for `pins` and `input` on its standard input; the scan's line.
Scan scanAfter(const std::string& arguments, const std::string& input,
               const std::vector<std::string>& pins) {
    std::string variable = "a5:";
    for (const std::string& pin : pins)
        variable += (variable.size() > 3 ? "," : "") + masked(pin);
    const std::string command = "printf '%s' '" + input +
                                "' | KAMUSM_TEST_MEMORY_SCAN=" + variable + " " + KAMUSM_PINCTL +
                                " " + arguments + " 2>&1 >/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    std::array<char, 4096> buffer{};
    for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;)
        out.append(buffer.data(), n);
    pclose(pipe);
    CAPTURE(out);
    std::smatch found;
    static const std::regex line(
        R"(memory-scan: [^:]*: ascii (\d+), bcd (\d+), utf16 (\d+) \((\d+) bytes)");
    REQUIRE(std::regex_search(out, found, line));
    return {std::stoi(found[1]), std::stoi(found[2]), std::stoi(found[3]), std::stol(found[4])};
}

// The PIN's forms (ASCII, packed BCD, UTF-16LE) found in `bytes`.
int occurrences(const std::string& bytes, const std::string& pin) {
    std::string bcd, utf16;
    for (std::size_t i = 0; i < pin.size(); i += 2)
        bcd.push_back(static_cast<char>((pin[i] - '0') << 4 | (pin[i + 1] - '0')));
    for (char digit : pin)
        utf16 += std::string{digit, '\0'};
    int found = 0;
    for (const std::string& form : {pin, bcd, utf16})
        for (auto at = bytes.find(form); at != std::string::npos; at = bytes.find(form, at + 1))
            ++found;
    return found;
}

std::string contents(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void checkNone(const Scan& scan) {
    CHECK(scan.ascii == 0);
    CHECK(scan.bcd == 0);
    CHECK(scan.utf16 == 0);
    CHECK(scan.bytes > 10'000'000); // the heap was really read
}

} // namespace

TEST_CASE("the scan sees pinctl's heap: the holder's TCKN in the card's certificate is found") {
    const Scan scan = scanAfter("sim acr39u certificates", "", {"10000000146"});
    CHECK(scan.ascii > 0);
}

TEST_CASE("no PIN left after a card operation on any reader, either card variant") {
    for (const char* model : {"acr39u", "connect2sign", "extended", "twoslot"}) {
        for (const char* card : {"t1", "t0"}) {
            CAPTURE(model);
            CAPTURE(card);
            const std::string reader = std::string("sim ") + model + " --card " + card;
            checkNone(scanAfter(reader + " verify", std::string(wrongPin) + "\n", {wrongPin}));
            checkNone(
                scanAfter(reader + " change", "123456\n" + std::string(newPin) + "\n", {newPin}));
        }
    }
}

TEST_CASE("no PIN left after create, change (also with a wrong current PIN) and unblock, in "
          "pinctl nor in the server's log, database and outbox") {
    kamusm::test::TempDir data;
    kamusm::test::ServerProcess server({"--demo", "--data-dir", data.path().string(),
                                        "--sessions-per-holder", "1000", "--sms-per-holder", "1000",
                                        "--code-attempts-per-ip", "1000", "--sms-resend-interval",
                                        "0"});
    const std::string pins = std::string(newPin) + "\n" + newPin + "\n";
    for (const char* model : {"acr39u", "connect2sign"}) {
        for (const char* card : {"t1", "t0"}) {
            CAPTURE(model);
            CAPTURE(card);
            const std::string options = std::string(" --demo --sim ") + model + " --card " + card +
                                        " --server " + server.url();
            checkNone(scanAfter("create" + options, pins, {newPin}));
            checkNone(scanAfter("change" + options, "123456\n" + pins, {newPin}));
            checkNone(scanAfter("change" + options, std::string(wrongPin) + "\n" + pins,
                                {newPin, wrongPin}));
            checkNone(scanAfter("unblock" + options, pins, {newPin}));
        }
    }
    // Nor did any reach the server: its log, its database (with its WAL) and its SMS outbox.
    std::string kept = server.stderrText();
    for (const auto& file : std::filesystem::recursive_directory_iterator(data.path()))
        if (file.is_regular_file()) kept += contents(file.path());
    CHECK(kept.find("sms_sent") != std::string::npos); // the log was there to look at
    CHECK(occurrences(kept, newPin) == 0);
    CHECK(occurrences(kept, wrongPin) == 0);
}
