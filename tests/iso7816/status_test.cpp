#include "kamusm/iso7816/error.hpp"
#include "kamusm/iso7816/status.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace kamusm;
using namespace kamusm::iso7816;

TEST_CASE("status words") {
    CHECK(std::string(describeStatus(0x9000)) == "normal processing");
    CHECK(std::string(describeStatus(0x6A82)) == "file or application not found");
    CHECK(std::string(describeStatus(0x6983)) == "authentication method blocked");
    CHECK(std::string(describeStatus(0x6281)) ==
          "warning: part of the returned data may be corrupted");
    CHECK(std::string(describeStatus(0x6C10)).find("wrong Le") == 0);
    CHECK(std::string(describeStatus(0x61FF)).find("response bytes") == 0);
    CHECK(std::string(describeStatus(0x63C2)).find("verification failed") == 0);
    CHECK(std::string(describeStatus(0x6299)) == "warning: non-volatile memory unchanged");
    CHECK(std::string(describeStatus(0x6A99)) == "wrong parameters P1-P2");
    CHECK(std::string(describeStatus(0x9001)) == "unknown status word");
    for (int sw : {0x6581, 0x6700, 0x6881, 0x6882, 0x6981, 0x6982, 0x6984, 0x6985, 0x6986,
                   0x6987, 0x6988, 0x6A80, 0x6A81, 0x6A83, 0x6A84, 0x6A85, 0x6A86, 0x6A87,
                   0x6A88, 0x6B00, 0x6D00, 0x6E00, 0x6F00, 0x6282, 0x6283}) {
        CAPTURE(sw);
        CHECK(std::string(describeStatus(static_cast<std::uint16_t>(sw))) != "unknown status word");
    }

    CHECK(statusCategory(0x9000) == StatusCategory::Normal);
    CHECK(statusCategory(0x6110) == StatusCategory::Normal);
    CHECK(statusCategory(0x63C1) == StatusCategory::Warning);
    CHECK(statusCategory(0x6581) == StatusCategory::ExecutionError);
    CHECK(statusCategory(0x6982) == StatusCategory::CheckingError);
    CHECK(statusCategory(0x9100) == StatusCategory::Unknown);
    CHECK(std::string(categoryName(StatusCategory::CheckingError)) == "checking error");

    CHECK(retriesLeft(0x63C2) == 2);
    CHECK(retriesLeft(0x63C0) == 0);
    CHECK_FALSE(retriesLeft(0x6300));
    CHECK_FALSE(retriesLeft(0x9000));
    CHECK(formatStatus(0x6A82) == "6A82 (file or application not found)");

    CHECK_NOTHROW(requireSuccess(ResponseApdu{{}, 0x90, 0x00}, "SELECT"));
    try {
        requireSuccess(ResponseApdu{{}, 0x69, 0x82}, "VERIFY");
        FAIL("no error");
    } catch (const iso7816::Error& error) {
        CHECK(error.code() == ErrorCode::UnexpectedStatus);
        CHECK(std::string(error.what()) ==
              "iso7816: VERIFY answered 6982 (security status not satisfied)");
    }
}
