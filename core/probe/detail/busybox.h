// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the busybox applets share: the usage banner, libbb's port lookup and its connect errors.

#include "core/probe/detail/session_io.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace meshcraft::core::probe::detail {

/// bb_show_usage(): the banner and the applet's usage on stderr, exit 1.
void showBusyboxUsage(SessionIo &io, std::string_view usage);
/// bb_lookup_port(): a number up to 65535, else `fallback` (busybox does not report garbage;
/// there is no services database in the pod).
std::uint16_t lookupPort(const std::string &text, std::uint16_t fallback);
/// A failed connect as libbb reports it and dies: "APPLET: bad address 'HOST'" or
/// "APPLET: WHAT: Connection refused" (WHAT from `what`), exit 1.
void failConnect(SessionIo &io, std::string_view applet, const common::Error &error,
                 const std::function<std::string()> &what);
/// The outcome a connect error stands for.
ProbeOutcome outcomeOf(const common::Error &error);

} // namespace meshcraft::core::probe::detail
