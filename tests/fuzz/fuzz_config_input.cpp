// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/fuzz/fuzz_config_input.h"

#include "core/config/resource.h"
#include "core/config/store.h"
#include "core/config/validator.h"

#include <string_view>

namespace meshcraft::tests::fuzz {

namespace {

// Invariants a fuzz input must never break; a violation traps so libFuzzer keeps the input.
void require(bool condition)
{
    if (!condition) {
        __builtin_trap();
    }
}

} // namespace

void runConfigInput(const std::uint8_t *data, std::size_t size)
{
    using namespace meshcraft::core::config;
    const std::string_view text(reinterpret_cast<const char *>(data), size);

    ParseResult parsed = parseResources(text, "fuzz.yaml");
    for (const Resource &resource : parsed.resources) {
        require(resource.location().line >= 1);
        (void)toYaml(resource.document);
        (void)toJson(resource.document);
    }
    for (const auto &diagnostic : parsed.diagnostics) {
        require(diagnostic.location.line >= 1 || diagnostic.location.file == "fuzz.yaml");
        (void)diagnostic.toString();
    }

    const Validator validator;
    const TextValidation validation = validateText(text, "fuzz.yaml");
    (void)validation;

    // A batch apply is all or nothing: refused means the store did not move.
    Store batchStore;
    batchStore.setValidator(&validator);
    batchStore.createSystemNamespaces();
    const auto before = batchStore.revision();
    const ApplyResult batch = batchStore.applyText(text, "fuzz.yaml", ApplyMode::Batch);
    if (!batch.ok()) {
        require(batchStore.revision() == before);
    }
    (void)batch.outputLines();

    // Per-document apply, twice (the second run sees the first one's objects), then delete.
    Store store;
    store.setValidator(&validator);
    store.createSystemNamespaces();
    (void)store.applyText(text, "fuzz.yaml", ApplyMode::PerDocument);
    (void)store.applyText(text, "fuzz.yaml", ApplyMode::PerDocument);
    (void)store.removeText(text, "fuzz.yaml", ApplyMode::PerDocument);
}

} // namespace meshcraft::tests::fuzz
