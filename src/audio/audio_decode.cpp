#include "audio/audio_decode.h"

#include <memory>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

namespace moodtune {
namespace {

std::string av_message(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

struct FormatCloser {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
struct CodecFreer {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct SwrFreer {
  void operator()(SwrContext* c) const { swr_free(&c); }
};
struct PacketFreer {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct FrameFreer {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};

}  // namespace

AudioBuffer decode_audio(const std::string& path, const DecodeParams& params) {
  av_log_set_level(AV_LOG_QUIET);  // errors come back as exceptions instead
  auto fail = [&](const std::string& what) { return AudioError(path + ": " + what); };

  AVFormatContext* raw_fmt = nullptr;
  if (int err = avformat_open_input(&raw_fmt, path.c_str(), nullptr, nullptr); err < 0)
    throw fail("cannot open (" + av_message(err) + ")");
  std::unique_ptr<AVFormatContext, FormatCloser> fmt(raw_fmt);
  if (int err = avformat_find_stream_info(fmt.get(), nullptr); err < 0)
    throw fail("cannot read stream info (" + av_message(err) + ")");

  const AVCodec* codec = nullptr;
  int stream_index = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
  if (stream_index < 0 || !codec) throw fail("no decodable audio stream");
  AVStream* stream = fmt->streams[stream_index];

  std::unique_ptr<AVCodecContext, CodecFreer> dec(avcodec_alloc_context3(codec));
  if (!dec) throw fail("out of memory");
  if (avcodec_parameters_to_context(dec.get(), stream->codecpar) < 0) throw fail("bad codec parameters");
  if (int err = avcodec_open2(dec.get(), codec, nullptr); err < 0)
    throw fail("cannot open decoder (" + av_message(err) + ")");
  if (dec->sample_rate <= 0 || dec->ch_layout.nb_channels <= 0) throw fail("stream has no sample rate or channels");

  AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
  SwrContext* raw_swr = nullptr;
  if (swr_alloc_set_opts2(&raw_swr, &mono, AV_SAMPLE_FMT_FLT, params.sample_rate, &dec->ch_layout, dec->sample_fmt,
                          dec->sample_rate, 0, nullptr) < 0 ||
      !raw_swr)
    throw fail("cannot set up resampling");
  std::unique_ptr<SwrContext, SwrFreer> swr(raw_swr);
  if (swr_init(swr.get()) < 0) throw fail("cannot set up resampling");

  AudioBuffer out;
  out.sample_rate = params.sample_rate;
  if (fmt->duration > 0) out.source_duration_s = double(fmt->duration) / AV_TIME_BASE;
  const size_t max_samples = static_cast<size_t>(params.max_seconds * params.sample_rate);
  if (out.source_duration_s > 0)
    out.samples.reserve(std::min(max_samples, static_cast<size_t>(out.source_duration_s * params.sample_rate) + 4096));

  std::unique_ptr<AVPacket, PacketFreer> pkt(av_packet_alloc());
  std::unique_ptr<AVFrame, FrameFreer> frame(av_frame_alloc());
  int decode_errors = 0;

  auto append = [&](const uint8_t** in, int in_count) {
    int cap = swr_get_out_samples(swr.get(), in_count);
    if (cap <= 0) return;
    size_t old = out.samples.size();
    out.samples.resize(old + static_cast<size_t>(cap));
    uint8_t* dst = reinterpret_cast<uint8_t*>(out.samples.data() + old);
    int got = swr_convert(swr.get(), &dst, cap, in, in_count);
    out.samples.resize(old + static_cast<size_t>(std::max(got, 0)));
  };
  auto drain = [&]() {
    while (true) {
      int r = avcodec_receive_frame(dec.get(), frame.get());
      if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
      if (r < 0) {
        ++decode_errors;
        return;
      }
      append(const_cast<const uint8_t**>(frame->extended_data), frame->nb_samples);
      av_frame_unref(frame.get());
    }
  };

  while (out.samples.size() < max_samples) {
    int r = av_read_frame(fmt.get(), pkt.get());
    if (r < 0) break;  // end of file (or a read error at the tail: keep what decoded)
    if (pkt->stream_index == stream_index) {
      // A corrupt packet is skipped, as players do; a file that is mostly
      // garbage fails below because nothing decoded.
      if (avcodec_send_packet(dec.get(), pkt.get()) < 0)
        ++decode_errors;
      else
        drain();
    }
    av_packet_unref(pkt.get());
  }
  if (out.samples.size() >= max_samples) {
    out.truncated = true;
    out.samples.resize(max_samples);
  } else {
    avcodec_send_packet(dec.get(), nullptr);
    drain();
    append(nullptr, 0);  // flush the resampler
  }
  if (out.samples.empty())
    throw fail(decode_errors ? "audio stream is corrupt (nothing decoded)" : "audio stream is empty");
  return out;
}

}  // namespace moodtune
