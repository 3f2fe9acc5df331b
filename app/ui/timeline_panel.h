// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/models/timeline_model.h"

#include <QWidget>
#include <cstdint>

class QToolButton;
class QTreeView;

namespace meshcraft::app {

class SessionBridge;

/// The event timeline: commands, applies, config pushes, connection opens and closes, probes
/// and notes, newest at the bottom, with a checkable filter per type. It follows new rows unless
/// the reader scrolled up. Clicking a row selects what it is about.
class TimelinePanel : public QWidget
{
    Q_OBJECT

public:
    /// `bridge` must outlive the panel.
    explicit TimelinePanel(SessionBridge &bridge, QWidget *parent = nullptr);

    TimelineModel *model() const { return m_model; }
    TimelineFilterModel *filter() const { return m_filter; }
    QTreeView *view() const { return m_view; }
    /// The filter button of a type (tests click it).
    QToolButton *filterButton(TimelineType type) const;

signals:
    /// A connection's row: show its trace and light its path.
    void flowSelected(std::uint64_t traceId);
    /// A row about a proxy or pod (a proxy id or a pod name).
    void nodeSelected(const QString &proxyOrPod);

private:
    void activate(const QModelIndex &index);

    TimelineModel *m_model;
    TimelineFilterModel *m_filter;
    QTreeView *m_view = nullptr;
    QList<QToolButton *> m_buttons;
    bool m_follow = true;
};

} // namespace meshcraft::app
