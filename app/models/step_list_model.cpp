// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/models/step_list_model.h"

#include "app/ui/theme.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace meshcraft::app {

using core::lab::StepState;

StepListModel::StepListModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

void StepListModel::setSteps(const std::vector<core::lab::StepStatus> &steps)
{
    beginResetModel();
    m_steps = steps;
    endResetModel();
}

void StepListModel::updateStep(const core::lab::StepStatus &status)
{
    const int row = status.index - 1;
    if (row < 0 || row >= stepCount()) {
        return;
    }
    m_steps[static_cast<std::size_t>(row)] = status;
    const QModelIndex at = index(row);
    emit dataChanged(at, at);
}

void StepListModel::setDark(bool dark)
{
    if (dark == m_dark) {
        return;
    }
    m_dark = dark;
    if (!m_steps.empty()) {
        emit dataChanged(index(0), index(stepCount() - 1), {Qt::DecorationRole});
    }
}

const core::lab::StepStatus *StepListModel::step(int oneBasedIndex) const
{
    if (oneBasedIndex < 1 || oneBasedIndex > stepCount()) {
        return nullptr;
    }
    return &m_steps[static_cast<std::size_t>(oneBasedIndex - 1)];
}

int StepListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : stepCount();
}

QVariant StepListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const core::lab::StepStatus &status = m_steps[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return tr("%1. %2").arg(status.index).arg(QString::fromStdString(status.title));
    case Qt::DecorationRole:
        return stateIcon(status.state, m_dark);
    case Qt::ToolTipRole:
    case Qt::AccessibleDescriptionRole:
        return stateText(status.state);
    case StateRole:
        return static_cast<int>(status.state);
    case StepRole:
        return status.index;
    case StateNameRole:
        return QString::fromUtf8(core::lab::stepStateName(status.state));
    default:
        return {};
    }
}

QString StepListModel::stateText(StepState state)
{
    switch (state) {
    case StepState::NotStarted:
        return tr("Not started");
    case StepState::Current:
        return tr("Current step");
    case StepState::Failed:
        return tr("Check failed");
    case StepState::Passed:
        return tr("Passed");
    }
    return {};
}

QIcon StepListModel::stateIcon(StepState state, bool dark)
{
    // Drawn rather than shipped so it stays crisp at any scale; a shape per state (D27).
    const theme::Colors colors = theme::colors(dark);
    QIcon icon;
    for (const int size : {16, 24, 32, 48}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        const qreal s = size;
        const qreal pen = qMax<qreal>(1.5, s / 9.0);
        const QRectF box(pen, pen, s - 2 * pen, s - 2 * pen);
        switch (state) {
        case StepState::NotStarted:
            painter.setPen(QPen(colors.pending, pen));
            painter.drawEllipse(box);
            break;
        case StepState::Current: {
            QPainterPath arrow;
            arrow.moveTo(s * 0.22, s * 0.12);
            arrow.lineTo(s * 0.88, s * 0.5);
            arrow.lineTo(s * 0.22, s * 0.88);
            arrow.closeSubpath();
            painter.setPen(Qt::NoPen);
            painter.setBrush(colors.current);
            painter.drawPath(arrow);
            break;
        }
        case StepState::Failed:
            painter.setPen(QPen(colors.failed, pen * 1.4, Qt::SolidLine, Qt::RoundCap));
            painter.drawLine(QPointF(s * 0.2, s * 0.2), QPointF(s * 0.8, s * 0.8));
            painter.drawLine(QPointF(s * 0.8, s * 0.2), QPointF(s * 0.2, s * 0.8));
            break;
        case StepState::Passed: {
            painter.setPen(Qt::NoPen);
            painter.setBrush(colors.passed);
            painter.drawEllipse(box);
            QPen tick(Qt::white, pen * 1.2, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
            painter.setPen(tick);
            painter.setBrush(Qt::NoBrush);
            QPainterPath path;
            path.moveTo(s * 0.28, s * 0.52);
            path.lineTo(s * 0.44, s * 0.68);
            path.lineTo(s * 0.72, s * 0.34);
            painter.drawPath(path);
            break;
        }
        }
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace meshcraft::app
