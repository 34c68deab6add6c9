/**
 * The {@code citytwin} command and the one place where the modules are wired together: {@link
 * org.citytwin.launcher.CitytwinServer} builds every part from a {@link
 * org.citytwin.launcher.CitytwinConfig} and deploys the verticles; {@link
 * org.citytwin.launcher.Citytwin} is the command line ({@code serve}, {@code demo}).
 */
package org.citytwin.launcher;
