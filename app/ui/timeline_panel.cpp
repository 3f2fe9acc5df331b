// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/ui/timeline_panel.h"

#include "app/bridge/session_bridge.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QScrollBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace meshcraft::app {

TimelinePanel::TimelinePanel(SessionBridge &bridge, QWidget *parent)
    : QWidget(parent), m_model(new TimelineModel(this)), m_filter(new TimelineFilterModel(this))
{
    setObjectName(QStringLiteral("timeline"));
    m_filter->setSourceModel(m_model);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    auto *filters = new QHBoxLayout;
    filters->setSpacing(2);
    for (int i = 0; i < TimelineTypeCount; ++i) {
        const auto type = static_cast<TimelineType>(i);
        auto *button = new QToolButton(this);
        button->setObjectName(QStringLiteral("filter:") + timelineTypeName(type));
        button->setText(timelineTypeTitle(type));
        button->setCheckable(true);
        button->setChecked(true);
        button->setToolTip(tr("Show or hide %1").arg(timelineTypeTitle(type).toLower()));
        connect(button, &QToolButton::toggled, this,
                [this, type](bool on) { m_filter->setTypeVisible(type, on); });
        filters->addWidget(button);
        m_buttons << button;
    }
    filters->addStretch(1);
    auto *clear = new QToolButton(this);
    clear->setObjectName(QStringLiteral("clear"));
    clear->setText(tr("Clear"));
    connect(clear, &QToolButton::clicked, m_model, &TimelineModel::clear);
    filters->addWidget(clear);
    layout->addLayout(filters);

    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("timelineView"));
    m_view->setModel(m_filter);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true); // thousands of rows stay fast
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->header()->setSectionResizeMode(TimelineModel::SequenceColumn,
                                           QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(TimelineModel::TypeColumn,
                                           QHeaderView::ResizeToContents);
    m_view->header()->setStretchLastSection(true);
    layout->addWidget(m_view);

    // Follow the newest row unless the reader scrolled up to read an older one.
    QScrollBar *bar = m_view->verticalScrollBar();
    connect(bar, &QScrollBar::valueChanged, this,
            [this, bar](int value) { m_follow = value >= bar->maximum() - 1; });
    connect(bar, &QScrollBar::rangeChanged, this, [this](int, int) {
        if (m_follow) {
            m_view->scrollToBottom();
        }
    });
    connect(m_view, &QTreeView::clicked, this, &TimelinePanel::activate);
    connect(m_view, &QTreeView::activated, this, &TimelinePanel::activate);
    connect(&bridge, &SessionBridge::eventsFlushed, m_model, &TimelineModel::addEvents);
}

QToolButton *TimelinePanel::filterButton(TimelineType type) const
{
    return m_buttons.value(static_cast<int>(type));
}

void TimelinePanel::activate(const QModelIndex &index)
{
    if (!index.isValid()) {
        return;
    }
    const auto traceId = index.data(TimelineModel::TraceRole).toULongLong();
    if (traceId != 0) {
        emit flowSelected(traceId);
        return;
    }
    const QString node = index.data(TimelineModel::NodeRole).toString();
    if (!node.isEmpty()) {
        emit nodeSelected(node);
    }
}

} // namespace meshcraft::app
