/**
 * Numbers of the request/response application layer (data only). Sources, MeshCore v1.17.1:
 * examples/simple_repeater/MyMesh.cpp (REQ_TYPE_*, ANON_REQ_TYPE_*, RESP_SERVER_LOGIN_OK, FIRMWARE_VER_LEVEL 2;
 * the room server's is 1), src/helpers/ClientACL.h (PERM_ACL_*), src/helpers/SensorManager.h (TELEM_*),
 * MyMesh::onControlDataRecv (CTL_TYPE_*).
 */

/** REQ plaintext byte 4 (after the u32 tag). */
export const REQ_TYPE = {
  GET_STATUS: 0x01,
  KEEP_ALIVE: 0x02,
  GET_TELEMETRY_DATA: 0x03,
  /** simple_sensor only (SensorMesh.cpp). */
  GET_AVG_MIN_MAX: 0x04,
  GET_ACCESS_LIST: 0x05,
  GET_NEIGHBOURS: 0x06,
  /** FIRMWARE_VER_LEVEL >= 2. */
  GET_OWNER_INFO: 0x07,
} as const;

/** ANON_REQ plaintext byte 4 when it is not a password (a byte < ' ' other than NUL); direct route only. */
export const ANON_REQ_TYPE = { REGIONS: 0x01, OWNER: 0x02, BASIC: 0x03 } as const;

/** Login response byte 4 (after server time). */
export const RESP_SERVER_LOGIN_OK = 0;

/** Login response byte 12: simple_repeater 2, simple_room_server 1. */
export const FIRMWARE_VER_LEVEL_REPEATER = 2;
export const FIRMWARE_VER_LEVEL_ROOM = 1;

/** ClientInfo::permissions, low 2 bits (PERM_ACL_ROLE_MASK). */
export const PERM_ACL = { GUEST: 0, READ_ONLY: 1, READ_WRITE: 2, ADMIN: 3 } as const;
export const PERM_ACL_ROLE_MASK = 3;

/** SensorManager permission bits (telemetry request byte 5 is their inverse mask) and the self channel. */
export const TELEM_PERM = { BASE: 0x01, LOCATION: 0x02, ENVIRONMENT: 0x04 } as const;
export const TELEM_CHANNEL_SELF = 1;

/** CONTROL payload byte 0, upper nibble (MyMesh::onControlDataRecv). */
export const CTL_TYPE = { NODE_DISCOVER_REQ: 0x80, NODE_DISCOVER_RESP: 0x90 } as const;
