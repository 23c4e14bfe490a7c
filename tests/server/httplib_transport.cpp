// test_server links kamusm_server, which has no HTTP client; the suite drives the server through
// the backend layer's native transport, compiled in here. (Once CMake links
// kamusm_backend_native into test_server, the archive member is simply not pulled in.)
#include "../../src/backend/native/httplib_client.cpp"
