/**
 * The egress policy: which addresses outbound connections may reach when a tenant or a caller chose
 * the address. The decision logic lives here (pure, no I/O); the connect-time enforcement —
 * resolving a name, checking every address, connecting to the checked one — is {@code
 * dev.crossgate.egress.EgressClient} in crossgate-store, the one module with I/O that the gateway,
 * the control plane and the agent all share.
 */
package dev.crossgate.egress;
