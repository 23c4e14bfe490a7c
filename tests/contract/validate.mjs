// Validates src/server/openapi.yaml with @apidevtools/swagger-parser (tests/run-all.sh runs it).
import { documentPath, loadContract } from "./contract.mjs";

try {
  const { document } = await loadContract();
  const operations = Object.values(document.paths).flatMap((item) => Object.keys(item));
  console.log(`openapi: ${documentPath} is valid OpenAPI ${document.openapi} (${operations.length} operations)`);
} catch (error) {
  console.error(`openapi: ${documentPath} is not valid: ${error.message}`);
  process.exit(1);
}
