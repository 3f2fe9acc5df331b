// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/fuzz/fuzz_config_input.h"

#include "core/config/resource.h"

#include <string_view>

namespace meshcraft::tests::fuzz {

void runConfigInput(const std::uint8_t *data, std::size_t size)
{
    using namespace meshcraft::core::config;
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    ParseResult parsed = parseResources(text, "fuzz.yaml");
    for (const Resource &resource : parsed.resources) {
        // Positions must always be real (1-based) for parsed documents.
        if (resource.location().line < 1) {
            __builtin_trap();
        }
        (void)toYaml(resource.document);
        (void)toJson(resource.document);
    }
    for (const auto &diagnostic : parsed.diagnostics) {
        (void)diagnostic.toString();
    }
}

} // namespace meshcraft::tests::fuzz
