/**
 * History: every canonical reading appended to a time-series store, and read back by thing,
 * property and time.
 *
 * <p>{@link org.citytwin.history.HistoryStore} is the blocking storage contract; {@link
 * org.citytwin.history.HistoryVerticle} puts it on the event bus (addresses in {@link
 * org.citytwin.twin.EventBusAddresses}), running every JDBC call on a worker thread and
 * group-committing appends so that many concurrent devices share one commit.
 */
package org.citytwin.history;
