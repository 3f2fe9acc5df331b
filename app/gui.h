// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace meshcraft::app {

/// Opens the desktop app on the last lab (the default lab, egress-gateway, the first time).
/// A second launch brings the running window to the front and returns 0.
int runGui(int argc, char **argv);

} // namespace meshcraft::app
