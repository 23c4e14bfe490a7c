// The API reference: src/server/openapi.yaml rendered as one HTML page when the server is built
// (tests/contract/api-docs.mjs, which writes this function's source too), served under /api/docs
// in demo mode.
#pragma once

#include <string_view>

namespace kamusm::server {

std::string_view apiDocsHtml();

} // namespace kamusm::server
