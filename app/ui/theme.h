// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QPalette>

namespace meshcraft::app::theme {

/// Qt 6.4 has no colour-scheme hint (D24): a palette is dark when its window colour is.
bool isDark(const QPalette &palette);

/// The colours of outcomes and states, readable on light and dark windows. Each is paired with
/// a shape or a word wherever it is used (D27).
struct Colors
{
    QColor passed;
    QColor failed;
    QColor current;
    QColor pending;
    QColor noteBackground;
    QColor noteBorder;
    QColor codeBackground;
};
Colors colors(bool dark);

} // namespace meshcraft::app::theme
