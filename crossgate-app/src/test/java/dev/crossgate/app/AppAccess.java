package dev.crossgate.app;

import dev.crossgate.admin.ControlPlaneOptions;

/**
 * Lets tests outside this package see what a parsed command would start with, without starting it.
 */
public final class AppAccess {
  private AppAccess() {}

  /** The control-plane options of a parsed {@code admin} command. */
  public static ControlPlaneOptions controlPlaneOptions(Object parsedAdminCommand) {
    var admin = (AdminCommand) parsedAdminCommand;
    return admin.storage.toOptions(admin.common, admin.http.h2c);
  }
}
