#include "CTollgateSystem.h"
