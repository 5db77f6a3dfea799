# The Debian packages behind the parts of moodtune that do not need libtorch
# (image decoding, music, audio analysis), found the same way for the fuzz/
# and sanitize/ projects.
find_package(OpenCV REQUIRED COMPONENTS core imgproc imgcodecs)
find_package(nlohmann_json REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
pkg_check_modules(AUDIO REQUIRED IMPORTED_TARGET libavformat libavcodec libavutil libswresample aubio libebur128 taglib)
find_library(CSV_LIBRARY csv REQUIRED)
find_library(QMDSP_LIBRARY qm-dsp REQUIRED)
