/** Exit statuses of `lattice`: scripts and balena's restart policy rely on them. */
export const EXIT_OK = 0;
/** Something failed at run time (no relay answering, daemon crashed, key file unreadable). */
export const EXIT_FAILURE = 1;
/** Bad command line or bad config: retrying the same thing cannot help. */
export const EXIT_USAGE = 2;
/**
 * `lattice run` found a damaged store file and `vault.onDamage` is `refuse`: a restart cannot help, a human must
 * look (systemd: `RestartPreventExitStatus=3`).
 */
export const EXIT_STORE_DAMAGED = 3;
/** A second Ctrl-C while the relay was stopping (128 + SIGINT, as shells report it). */
export const EXIT_FORCED = 130;
