package dev.crossgate.transfer;

/** How handing the assembled file to the transfer's target went. */
record DeliveryResult(boolean delivered, String summary) {
  static DeliveryResult kept() {
    return new DeliveryResult(true, "no target; the file is kept until the transfer expires");
  }
}
