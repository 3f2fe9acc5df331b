// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"
#include "core/config/yaml_node.h"

#include <filesystem>
#include <memory>
#include <string>
#include <tl/expected.hpp>

namespace meshcraft::core::lab {

/// A JSON Schema (draft 7) held as our YAML tree, and a validator for the subset lab.yaml
/// needs: type, required, properties, additionalProperties (false or a schema), items, enum,
/// oneOf, minItems, minimum and $ref to #/definitions/NAME. Unknown keywords are ignored, as
/// JSON Schema says; `x-oneOfMessage` words a failed oneOf.
class JsonSchema
{
public:
    /// Parses a schema file (JSON is read by our YAML loader).
    static tl::expected<JsonSchema, common::Diagnostics> load(const std::filesystem::path &path);
    static tl::expected<JsonSchema, common::Diagnostics> parse(std::string_view text,
                                                               const std::string &name);

    /// Every violation, at the offending node's line and column in `file` (codes
    /// lab.schema-type, lab.schema-required, lab.schema-unknown-field, lab.schema-enum,
    /// lab.schema-one-of, lab.schema-min-items, lab.schema-minimum).
    common::Diagnostics validate(const config::Node &document, const std::string &file) const;

private:
    explicit JsonSchema(config::Node root) : m_root(std::move(root)) {}
    config::Node m_root;
};

/// The lab schema shipped as data (schemas/lab.schema.json under common::dataDir()), loaded
/// once; an error when the data is missing or broken.
const tl::expected<JsonSchema, common::Diagnostics> &labSchema();

} // namespace meshcraft::core::lab
