/**
 * Yamux window updates sent when half the receive window is used, not after every data frame.
 *
 * @libp2p/yamux 8.0.3 (the code of @chainsafe/libp2p-yamux 8.0.1, renamed) answers every data
 * frame it receives with a window-update frame, however small the frame. Our frames are small (a digest is ~50 bytes), so half of all frames on
 * an idle connection were these updates, each one encrypted twice (Noise, then the network key) and
 * decrypted twice on the other side. The yamux spec leaves the timing to the receiver; go-yamux
 * (and this patch) sends an update once the unacknowledged bytes reach half the window, which keeps
 * a sender that has data from ever waiting while at least half a window is free.
 *
 * Only the steady state is changed: while the stream is Established and more than half the window
 * is free, the update is skipped; every other case (the SYN/ACK flags of a new stream, a paused
 * reader, a window at or under half) goes to the library's own method unchanged.
 * yamux-window.test.ts checks the decision against the library's class, and the gossip tests move
 * 1 MB frames through it.
 */
import { StreamState, YamuxStream } from '@libp2p/yamux/stream'

/** The fields the decision reads; private in the library's typings. */
interface WindowFields {
  state: StreamState
  recvWindow: number
  recvWindowCapacity: number
}

type SendWindowUpdate = (this: YamuxStream) => void

let installed = false

/** True when the library should send a window update now. */
export function windowUpdateDue(s: WindowFields): boolean {
  return s.state !== StreamState.Established || s.recvWindowCapacity * 2 <= s.recvWindow
}

/** Installs the lazy update on YamuxStream's prototype, once per process. */
export function installLazyYamuxWindowUpdates(): void {
  if (installed) return
  installed = true
  const proto = YamuxStream.prototype as unknown as { sendWindowUpdate: SendWindowUpdate }
  const original = proto.sendWindowUpdate
  proto.sendWindowUpdate = function (this: YamuxStream): void {
    if (windowUpdateDue(this as unknown as WindowFields)) original.call(this)
  }
}
