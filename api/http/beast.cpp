// The one translation unit compiling Boost.Asio and Boost.Beast (BOOST_ASIO_SEPARATE_COMPILATION
// and BOOST_BEAST_SEPARATE_COMPILATION are set for every user of dialogue::api), so that each
// other file including them compiles faster.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
