package dev.keepalive.interop;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * HTTP/2 frames (RFC 9113 section 4.1) cut out of one direction of a connection as its bytes arrive, in
 * chunks that need not end at a frame's end: enough for the relay to tell requests, responses, GOAWAY and
 * RST_STREAM apart, and for the raw h2c client to read a server's frames. The client's direction starts with
 * the connection preface, which is skipped.
 */
final class H2Frames {

	static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

	static final int DATA = 0x0;

	static final int HEADERS = 0x1;

	static final int RST_STREAM = 0x3;

	static final int SETTINGS = 0x4;

	static final int GOAWAY = 0x7;

	static final int END_STREAM = 0x1;

	static final int ACK = 0x1;

	private int prefaceLeft;

	private byte[] pending = new byte[0];

	private H2Frames(int prefaceLeft) {
		this.prefaceLeft = prefaceLeft;
	}

	/** The client's direction: the preface, then frames. */
	static H2Frames fromClient() {
		return new H2Frames(PREFACE.length);
	}

	/** The server's direction: frames from the first byte. */
	static H2Frames fromServer() {
		return new H2Frames(0);
	}

	/** The frames these bytes complete, in order. */
	List<Frame> feed(byte[] bytes, int length) {
		int from = Math.min(this.prefaceLeft, length);
		this.prefaceLeft -= from;
		byte[] all = new byte[this.pending.length + length - from];
		System.arraycopy(this.pending, 0, all, 0, this.pending.length);
		System.arraycopy(bytes, from, all, this.pending.length, length - from);
		List<Frame> frames = new ArrayList<>();
		int at = 0;
		while (all.length - at >= 9) {
			int payloadLength = ((all[at] & 0xff) << 16) | ((all[at + 1] & 0xff) << 8) | (all[at + 2] & 0xff);
			if (all.length - at - 9 < payloadLength) {
				break;
			}
			frames.add(new Frame(all[at + 3] & 0xff, all[at + 4] & 0xff, int31(all, at + 5),
					Arrays.copyOfRange(all, at + 9, at + 9 + payloadLength)));
			at += 9 + payloadLength;
		}
		this.pending = Arrays.copyOfRange(all, at, all.length);
		return frames;
	}

	/** A frame: type, flags, stream id and payload. */
	record Frame(int type, int flags, int stream, byte[] payload) {

		boolean endStream() {
			return (this.type == DATA || this.type == HEADERS) && (this.flags & END_STREAM) != 0;
		}

		/** A GOAWAY's last-stream-id. */
		int lastStreamId() {
			return int31(this.payload, 0);
		}

		/** A GOAWAY's or RST_STREAM's error code. */
		long errorCode() {
			int at = (this.type == GOAWAY) ? 4 : 0;
			return ((this.payload[at] & 0xffL) << 24) | ((this.payload[at + 1] & 0xff) << 16)
					| ((this.payload[at + 2] & 0xff) << 8) | (this.payload[at + 3] & 0xff);
		}

		@Override
		public String toString() {
			return switch (this.type) {
				case GOAWAY -> "GOAWAY(last-stream-id " + lastStreamId() + ", " + errorName(errorCode()) + ")";
				case RST_STREAM -> "RST_STREAM(stream " + this.stream + ", " + errorName(errorCode()) + ")";
				default -> "frame type " + this.type + " on stream " + this.stream;
			};
		}

	}

	/** RFC 9113 section 7's names for the codes a server sends at a close. */
	static String errorName(long code) {
		return switch ((int) code) {
			case 0x0 -> "NO_ERROR";
			case 0x1 -> "PROTOCOL_ERROR";
			case 0x2 -> "INTERNAL_ERROR";
			case 0x7 -> "REFUSED_STREAM";
			case 0x8 -> "CANCEL";
			case 0xb -> "ENHANCE_YOUR_CALM";
			default -> "error 0x" + Long.toHexString(code);
		};
	}

	/** A frame header of 9 bytes and the payload. */
	static byte[] frame(int type, int flags, int stream, byte[] payload) {
		ByteArrayOutputStream frame = new ByteArrayOutputStream();
		frame.write(payload.length >>> 16);
		frame.write(payload.length >>> 8);
		frame.write(payload.length);
		frame.write(type);
		frame.write(flags);
		frame.write(stream >>> 24);
		frame.write(stream >>> 16);
		frame.write(stream >>> 8);
		frame.write(stream);
		frame.writeBytes(payload);
		return frame.toByteArray();
	}

	private static int int31(byte[] bytes, int at) {
		return ((bytes[at] & 0x7f) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8)
				| (bytes[at + 3] & 0xff);
	}

}
