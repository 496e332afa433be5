#include "io/fileinfo.h"
