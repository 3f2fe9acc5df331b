// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/lab/session.h"

#include <QAbstractListModel>
#include <QIcon>

#include <vector>

namespace meshcraft::app {

/// The guide's step list: one row per step, "3. Inspect the instance", with a state icon whose
/// shape tells the state as well as its colour (D27): an empty circle (not started), a filled
/// arrow (current), a cross (failed), a tick (passed).
class StepListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        StateRole = Qt::UserRole + 1, ///< core::lab::StepState as int
        StepRole,                     ///< 1-based step number
        StateNameRole,                ///< "passed", "failed", … (stable, for tests)
    };

    explicit StepListModel(QObject *parent = nullptr);

    /// Replaces every row (a lab opened, the world was rebuilt).
    void setSteps(const std::vector<core::lab::StepStatus> &steps);
    /// Updates one step's row in place.
    void updateStep(const core::lab::StepStatus &status);
    /// Icons follow the palette (light or dark window).
    void setDark(bool dark);

    const core::lab::StepStatus *step(int oneBasedIndex) const;
    int stepCount() const { return static_cast<int>(m_steps.size()); }

    /// The icon of a state, drawn at `size` device-independent pixels.
    static QIcon stateIcon(core::lab::StepState state, bool dark);
    /// The state's word for screen readers and tooltips.
    static QString stateText(core::lab::StepState state);

    // Interface (QAbstractListModel)
    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    std::vector<core::lab::StepStatus> m_steps;
    bool m_dark = false;
};

} // namespace meshcraft::app
