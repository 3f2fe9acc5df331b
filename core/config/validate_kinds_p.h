// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal to config/: one webhook validator per Istio kind, each in its own file
// (validate_service_entry.cpp, validate_gateway.cpp, ...). istio_validation.cpp dispatches.

#include "core/config/validation_context.h"

namespace meshcraft::core::config::detail {

void validateServiceEntry(ValidationContext &context);
void validateGateway(ValidationContext &context);
void validateDestinationRule(ValidationContext &context);
void validateVirtualService(ValidationContext &context);
void validateSidecar(ValidationContext &context);

/// validateTLSOptions for a Gateway server's or a Sidecar ingress listener's `tls` block.
void validateServerTlsOptions(ValidationContext &context, const Field &tls);

} // namespace meshcraft::core::config::detail
