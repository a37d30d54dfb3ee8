/**
 * The original destination of a TCP connection that nftables redirected to us (the transparent
 * proxies), from the accepted socket itself: SO_ORIGINAL_DST (IPv4) / IP6T_SO_ORIGINAL_DST (IPv6)
 * through our small N-API addon. When the addon is not built (not Linux, no compiler at install)
 * `available` is false and callers use their fallbacks.
 */
import { createRequire } from 'node:module';
import type net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface OriginalDestination {
  ip: string;
  port: number;
  family: 4 | 6;
}

interface Addon {
  originalDst(fd: number): OriginalDestination;
}

export const ADDON_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../build/Release/sockopt.node');

function load(): { addon: Addon | null; error: string | null } {
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
    if (typeof addon.originalDst !== 'function') return { addon: null, error: `${ADDON_PATH} has no originalDst` };
    return { addon, error: null };
  } catch (e) {
    return { addon: null, error: e instanceof Error ? e.message : String(e) };
  }
}

const loaded = load();

/** the addon loaded */
export const available: boolean = loaded.addon !== null;
/** why it did not (for the gateway's log) */
export const loadError: string | null = loaded.error;

/** The original destination of the connection on this file descriptor; throws (ENOENT: not redirected). */
export function originalDstOfFd(fd: number): OriginalDestination {
  if (!loaded.addon) throw new Error(`the SO_ORIGINAL_DST addon is not available: ${loaded.error ?? 'not loaded'}`);
  if (!Number.isInteger(fd) || fd < 0) throw new Error(`invalid file descriptor ${String(fd)}`);
  return loaded.addon.originalDst(fd);
}

/** the file descriptor of a connected net.Socket (libuv keeps it on the TCP handle) */
export function socketFd(socket: net.Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * The original destination of an accepted socket, or undefined when it cannot be known here (the
 * addon is missing, the connection was not redirected, the socket is closed).
 */
export function originalDestination(socket: net.Socket): OriginalDestination | undefined {
  if (!loaded.addon) return undefined;
  const fd = socketFd(socket);
  if (fd === undefined) return undefined;
  try {
    const d = loaded.addon.originalDst(fd);
    const ip = d.ip.replace(/^::ffff:/, '');
    // conntrack also knows connections that were not redirected: their "original" is ourselves
    if (ip === (socket.localAddress ?? '').replace(/^::ffff:/, '') && d.port === socket.localPort) return undefined;
    return { ...d, ip };
  } catch {
    return undefined;
  }
}
