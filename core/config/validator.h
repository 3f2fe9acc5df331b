// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"
#include "core/config/istio_validation.h"
#include "core/config/resource.h"
#include "core/config/store.h"

#include <string>
#include <string_view>

namespace meshcraft::core::config {

/// Everything a real cluster checks before it stores an object, in the order it checks it:
/// the API server's CRD schema (types, enums, required fields, bounds, unknown fields, CEL),
/// then Istio's validating webhook. Both sets of findings are kept, so `meshcraft validate`
/// and the editor list every problem; a refusal prints what a cluster would (D4).
class Validator final : public ResourceValidator
{
public:
    explicit Validator(IstioValidationOptions options = {});

    // Interface
    common::Diagnostics validate(const Resource &resource) const override;
    /// The API server's `The ServiceEntry "x" is invalid: …` when the schema refuses (the
    /// webhook is never asked then), else the webhook's denial.
    std::string refusalLine(const Resource &resource, const common::Diagnostics &errors,
                            std::string_view verb, std::string_view source) const override;

private:
    IstioValidationOptions m_options;
};

/// The result of validating a whole text (a file or an editor buffer).
struct TextValidation
{
    common::Diagnostics diagnostics; ///< YAML, identity, schema and webhook, by position
    int resourceCount = 0;
};

/// Loads every document of `text` and validates each one. Diagnostics are ordered by line and
/// column; at the same place the schema's come before the webhook's.
TextValidation validateText(std::string_view text, const std::string &fileName,
                            const IstioValidationOptions &options = {});

} // namespace meshcraft::core::config
