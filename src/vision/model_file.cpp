#include "vision/model_file.h"

#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/atomic_file.h"
#include "common/split.h"
#include "vision/quantized_net.h"

namespace moodtune {
namespace {
constexpr char kMagic[] = "MOODTUNE-MODEL\n";
constexpr size_t kMagicLen = sizeof(kMagic) - 1;

template <typename T>
void put(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}
template <typename T>
T get(const std::string& in, size_t pos) {
  T v;
  std::memcpy(&v, in.data() + pos, sizeof(T));
  return v;
}

nlohmann::json info_to_json(const ModelInfo& info) {
  nlohmann::json j = {{"arch", info.net.arch},
                      {"arch_version", kArchVersion},
                      {"width", info.net.width},
                      {"num_classes", info.net.num_classes},
                      {"input_size", info.net.input_size},
                      {"dropout", info.net.dropout},
                      {"channels", 1},
                      {"norm", {{"mean", info.norm.mean}, {"std", info.norm.std}}},
                      {"classes", info.classes},
                      {"precision", info.precision},
                      {"meta", info.meta}};
  // Written only when set, so files of unlevelled models stay as they were.
  if (info.level_eyes) j["level_eyes"] = true;
  return j;
}

ModelInfo info_from_json(const nlohmann::json& j, const std::string& path) {
  try {
    ModelInfo info;
    info.net.arch = j.at("arch").get<std::string>();
    int av = j.at("arch_version").get<int>();
    if (av != kArchVersion)
      throw ModelFileError(path + ": model is architecture version " + std::to_string(av) +
                           ", this build runs version " + std::to_string(kArchVersion));
    info.net.width = j.at("width").get<int>();
    info.net.num_classes = j.at("num_classes").get<int>();
    info.net.input_size = j.at("input_size").get<int>();
    info.net.dropout = j.value("dropout", 0.3);
    info.norm.mean = j.at("norm").at("mean").get<float>();
    info.norm.std = j.at("norm").at("std").get<float>();
    info.classes = j.at("classes").get<std::vector<std::string>>();
    info.meta = j.value("meta", nlohmann::json::object());
    info.precision = j.value("precision", "float32");
    info.level_eyes = j.value("level_eyes", false);
    if (info.precision != "float32" && info.precision != "int8")
      throw ModelFileError(path + ": unknown weight precision '" + info.precision + "' (known: float32, int8)");
    if (static_cast<int>(info.classes.size()) != info.net.num_classes)
      throw ModelFileError(path + ": header lists " + std::to_string(info.classes.size()) + " class names for " +
                           std::to_string(info.net.num_classes) + " outputs");
    if (!(info.norm.std > 0)) throw ModelFileError(path + ": normalisation std must be positive");
    info.net = resolve_config(info.net);  // throws on an unknown architecture
    return info;
  } catch (const ModelFileError&) {
    throw;
  } catch (const std::exception& e) {
    throw ModelFileError(path + ": invalid model header: " + e.what());
  }
}

std::string read_all(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw ModelFileError(path + ": model file not found");
  if (std::filesystem::is_directory(path, ec)) throw ModelFileError(path + ": is a directory, not a model file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelFileError(path + ": cannot open model file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Parsed {
  nlohmann::json header;
  std::string payload;
};

Parsed parse(const std::string& path, bool need_payload) {
  std::string bytes = read_all(path);
  if (bytes.size() < kMagicLen || bytes.compare(0, kMagicLen, kMagic) != 0)
    throw ModelFileError(path +
                         ": not a moodtune model file (bad magic; expected a .mtm file written by `moodtune train`)");
  size_t pos = kMagicLen;
  // Compared as a remainder: lengths come from the file, and pos + n can wrap.
  auto need = [&](uint64_t n, const char* what) {
    if (pos > bytes.size() || n > bytes.size() - pos)
      throw ModelFileError(path + ": truncated model file (ends inside the " + what + ", " +
                           std::to_string(bytes.size()) + " bytes)");
  };
  need(4 + 8, "header");
  uint32_t version = get<uint32_t>(bytes, pos);
  pos += 4;
  if (version < 1 || version > kModelFormatVersion)
    throw ModelFileError(path + ": model file format version " + std::to_string(version) +
                         " is not supported (this build reads versions 1 to " + std::to_string(kModelFormatVersion) +
                         ")");
  uint64_t hlen = get<uint64_t>(bytes, pos);
  pos += 8;
  need(hlen, "header");
  size_t hstart = pos;
  std::string htext = bytes.substr(pos, hlen);
  pos += hlen;
  need(8, "payload");
  uint64_t plen = get<uint64_t>(bytes, pos);
  pos += 8;
  need(plen, "weights");
  size_t pstart = pos;
  pos += plen;
  need(4, "checksum");
  uint32_t crc = get<uint32_t>(bytes, pos);
  uLong c = crc32(0L, reinterpret_cast<const Bytef*>(bytes.data() + hstart), static_cast<uInt>(pstart + plen - hstart));
  if (static_cast<uint32_t>(c) != crc) throw ModelFileError(path + ": model file is corrupt (checksum mismatch)");
  Parsed p;
  try {
    p.header = nlohmann::json::parse(htext);
  } catch (const std::exception& e) {
    throw ModelFileError(path + ": model header is not valid JSON: " + e.what());
  }
  const bool int8 = p.header.is_object() && p.header.value("precision", "float32") == "int8";
  if (int8 != (version == 2))
    throw ModelFileError(path + ": format version " + std::to_string(version) +
                         " does not match the header's precision");
  if (need_payload) p.payload = bytes.substr(pstart, plen);
  return p;
}
}  // namespace

void save_model_file(const std::string& path, EmotionNet& net, const ModelInfo& info_in) {
  if (net->is_ensemble())
    throw std::invalid_argument("an ensemble is saved as its members' files, listed with commas when loading");
  ModelInfo info = info_in;
  info.precision = net->is_int8() ? "int8" : "float32";
  std::ostringstream weights;
  if (net->is_int8()) {
    torch::serialize::OutputArchive archive;
    for (const auto& [name, t] : net->int8()->to_tensors()) archive.write(name, t);
    archive.save_to(weights);
  } else {
    torch::save(net, weights);
  }
  std::string header = info_to_json(info).dump();
  std::string payload = weights.str();
  std::string out(kMagic, kMagicLen);
  put<uint32_t>(out, net->is_int8() ? 2u : 1u);
  put<uint64_t>(out, header.size());
  size_t hstart = out.size();
  out += header;
  put<uint64_t>(out, payload.size());
  out += payload;
  // The checksum covers header+payload; the length fields are validated by
  // the bounds checks on load.
  uLong c = crc32(0L, reinterpret_cast<const Bytef*>(out.data() + hstart), static_cast<uInt>(out.size() - hstart));
  put<uint32_t>(out, static_cast<uint32_t>(c));
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  write_file_atomically(path, out);
}

ModelInfo read_model_info(const std::string& path) { return info_from_json(parse(path, false).header, path); }

LoadedModel load_model_file(const std::string& path) {
  Parsed p = parse(path, true);
  LoadedModel m;
  m.info = info_from_json(p.header, path);
  if (m.info.precision == "int8") {
    try {
      torch::serialize::InputArchive archive;
      std::istringstream in(p.payload);
      archive.load_from(in);
      QuantizedLayers layers = QuantizedNet::layers_from([&](const std::string& name, torch::Tensor& t) {
        // Always into a fresh handle, then a copy: try_read re-seats a
        // defined tensor in place (set_), which would rewrite every
        // other handle to it, and the archive's own tensors with it.
        torch::Tensor fresh;
        if (!archive.try_read(name, fresh)) return false;
        t = fresh.clone();
        return true;
      });
      m.net = EmotionNet(m.info.net, std::make_shared<const QuantizedNet>(std::move(layers)));
    } catch (const std::exception& e) {
      std::string msg = e.what();
      throw ModelFileError(path + ": int8 weights are unusable: " + msg.substr(0, msg.find('\n')));
    }
    m.net->eval();
    return m;
  }
  m.net = make_emotion_net(m.info.net);
  try {
    // libtorch's loader replaces each tensor wholesale, whatever its shape,
    // so check the shapes against the architecture the header names.
    std::map<std::string, std::vector<int64_t>> want;
    for (const auto& kv : m.net->named_parameters()) want[kv.key()] = kv.value().sizes().vec();
    for (const auto& kv : m.net->named_buffers()) want[kv.key()] = kv.value().sizes().vec();
    std::istringstream in(p.payload);
    torch::load(m.net, in);
    auto check = [&](const std::string& key, const torch::Tensor& t) {
      if (t.sizes().vec() != want[key])
        throw std::runtime_error("tensor '" + key + "' has shape " + c10::str(t.sizes()) + ", the architecture needs " +
                                 c10::str(c10::IntArrayRef(want[key])));
    };
    for (const auto& kv : m.net->named_parameters()) check(kv.key(), kv.value());
    for (const auto& kv : m.net->named_buffers()) check(kv.key(), kv.value());
  } catch (const std::exception& e) {
    std::string msg = e.what();
    msg = msg.substr(0, msg.find('\n'));
    throw ModelFileError(path + ": weights do not match architecture '" + m.info.net.arch + "': " + msg);
  }
  m.net->eval();
  return m;
}

LoadedModel load_models(const std::string& paths) {
  if (paths.find(',') == std::string::npos) return load_model_file(paths);
  const std::vector<std::string> files = split(paths, ',');
  std::vector<std::shared_ptr<EmotionNetImpl>> nets;
  LoadedModel first;
  for (const auto& f : files) {
    if (f.empty()) throw ModelFileError("'" + paths + "': empty file name in the list of ensemble members");
    LoadedModel m = load_model_file(f);
    if (nets.empty()) {
      first = m;
    } else if (m.info.classes != first.info.classes || m.info.net.input_size != first.info.net.input_size ||
               m.info.norm.mean != first.info.norm.mean || m.info.norm.std != first.info.norm.std ||
               m.info.level_eyes != first.info.level_eyes) {
      throw ModelFileError(f + ": cannot join an ensemble with " + files[0] +
                           ": classes, input size, normalisation or eye-line levelling differ");
    }
    nets.push_back(m.net.ptr());
  }
  LoadedModel out;
  out.info = first.info;
  out.info.meta["ensemble"] = files;
  out.net = EmotionNet(std::move(nets));
  out.net->eval();
  return out;
}

}  // namespace moodtune
