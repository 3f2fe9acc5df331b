// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"
#include "core/config/crd_schema.h"
#include "core/config/resource.h"

namespace meshcraft::core::config {

/// Checks an Istio resource the way the Kubernetes API server checks a custom resource against
/// its CRD (Istio 1.30.3's schemas, parsed once per process), in the API server's words:
///  1. metadata: a name that is a DNS-1123 subdomain (schema.metadata-name), a namespace that is
///     a DNS-1123 label (schema.metadata-namespace); unknown fields anywhere, which a structural
///     schema prunes: a warning (code schema.unknown-field) that says what Istio 1.3 did (dropped
///     them) and what current Istio does (kubectl's strict field validation refuses the object);
///  2. the OpenAPI checks (schema.type, schema.enum, schema.required, schema.minimum,
///     schema.maximum, schema.min-items, schema.max-items, schema.min-length, schema.max-length,
///     schema.max-properties, schema.format, schema.one-of, schema.any-of, schema.all-of,
///     schema.not) and list-map keys (schema.duplicate);
///  3. the CEL rules (schema.cel, and schema.duration for the duration rule). Like the API server
///     this step is skipped when step 2 found a type, enum, required or size error; a note
///     (schema.cel-skipped) then says so.
/// Messages are the API server's (`spec.ports[0].number: Invalid value: "integer": port must be
/// between 1-65535`), so a refusal can be printed as kubectl prints it; the order is the API
/// server's too: step 1 and 2 in document order, then list keys, then CEL. Positions point at the
/// offending value (at the key for a list or map), at the key of a field that is unknown, or at
/// the parent's key when a required field is missing; Diagnostic::path is the field path with
/// map keys in brackets (`spec.workloadSelector.labels[app]`). The status (reset by the status
/// subresource) is not checked. Kubernetes kinds get no diagnostics here. When the shipped
/// schema file cannot be read, one warning (schema.unavailable) says so. Never throws.
common::Diagnostics validateAgainstSchema(const Resource &resource);

/// The same, against an explicit schema set (tests load one from a path).
common::Diagnostics validateAgainstSchema(const Resource &resource, const CrdSchemaSet &schemas);

} // namespace meshcraft::core::config
