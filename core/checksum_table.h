/*
 * The LSOE checksum S-box (the Skipjack F-table, draft-ietf-lsvr-lsoe-01 section 7)
 * and a 64 Ki-entry table of S-box pairs built from it by the preprocessor, so the
 * checksum can consume two octets per lookup without any run-time initialisation.
 *
 * Written once from the draft's table; checked against the draft's byte-wise code by
 * tests/unit/test_checksum.c.
 */
#ifndef LSOE_CHECKSUM_TABLE_H
#define LSOE_CHECKSUM_TABLE_H

#include <stdint.h>

#define LSOE_SB_0 0xa3
#define LSOE_SB_1 0xd7
#define LSOE_SB_2 0x09
#define LSOE_SB_3 0x83
#define LSOE_SB_4 0xf8
#define LSOE_SB_5 0x48
#define LSOE_SB_6 0xf6
#define LSOE_SB_7 0xf4
#define LSOE_SB_8 0xb3
#define LSOE_SB_9 0x21
#define LSOE_SB_10 0x15
#define LSOE_SB_11 0x78
#define LSOE_SB_12 0x99
#define LSOE_SB_13 0xb1
#define LSOE_SB_14 0xaf
#define LSOE_SB_15 0xf9
#define LSOE_SB_16 0xe7
#define LSOE_SB_17 0x2d
#define LSOE_SB_18 0x4d
#define LSOE_SB_19 0x8a
#define LSOE_SB_20 0xce
#define LSOE_SB_21 0x4c
#define LSOE_SB_22 0xca
#define LSOE_SB_23 0x2e
#define LSOE_SB_24 0x52
#define LSOE_SB_25 0x95
#define LSOE_SB_26 0xd9
#define LSOE_SB_27 0x1e
#define LSOE_SB_28 0x4e
#define LSOE_SB_29 0x38
#define LSOE_SB_30 0x44
#define LSOE_SB_31 0x28
#define LSOE_SB_32 0x0a
#define LSOE_SB_33 0xdf
#define LSOE_SB_34 0x02
#define LSOE_SB_35 0xa0
#define LSOE_SB_36 0x17
#define LSOE_SB_37 0xf1
#define LSOE_SB_38 0x60
#define LSOE_SB_39 0x68
#define LSOE_SB_40 0x12
#define LSOE_SB_41 0xb7
#define LSOE_SB_42 0x7a
#define LSOE_SB_43 0xc3
#define LSOE_SB_44 0xe9
#define LSOE_SB_45 0xfa
#define LSOE_SB_46 0x3d
#define LSOE_SB_47 0x53
#define LSOE_SB_48 0x96
#define LSOE_SB_49 0x84
#define LSOE_SB_50 0x6b
#define LSOE_SB_51 0xba
#define LSOE_SB_52 0xf2
#define LSOE_SB_53 0x63
#define LSOE_SB_54 0x9a
#define LSOE_SB_55 0x19
#define LSOE_SB_56 0x7c
#define LSOE_SB_57 0xae
#define LSOE_SB_58 0xe5
#define LSOE_SB_59 0xf5
#define LSOE_SB_60 0xf7
#define LSOE_SB_61 0x16
#define LSOE_SB_62 0x6a
#define LSOE_SB_63 0xa2
#define LSOE_SB_64 0x39
#define LSOE_SB_65 0xb6
#define LSOE_SB_66 0x7b
#define LSOE_SB_67 0x0f
#define LSOE_SB_68 0xc1
#define LSOE_SB_69 0x93
#define LSOE_SB_70 0x81
#define LSOE_SB_71 0x1b
#define LSOE_SB_72 0xee
#define LSOE_SB_73 0xb4
#define LSOE_SB_74 0x1a
#define LSOE_SB_75 0xea
#define LSOE_SB_76 0xd0
#define LSOE_SB_77 0x91
#define LSOE_SB_78 0x2f
#define LSOE_SB_79 0xb8
#define LSOE_SB_80 0x55
#define LSOE_SB_81 0xb9
#define LSOE_SB_82 0xda
#define LSOE_SB_83 0x85
#define LSOE_SB_84 0x3f
#define LSOE_SB_85 0x41
#define LSOE_SB_86 0xbf
#define LSOE_SB_87 0xe0
#define LSOE_SB_88 0x5a
#define LSOE_SB_89 0x58
#define LSOE_SB_90 0x80
#define LSOE_SB_91 0x5f
#define LSOE_SB_92 0x66
#define LSOE_SB_93 0x0b
#define LSOE_SB_94 0xd8
#define LSOE_SB_95 0x90
#define LSOE_SB_96 0x35
#define LSOE_SB_97 0xd5
#define LSOE_SB_98 0xc0
#define LSOE_SB_99 0xa7
#define LSOE_SB_100 0x33
#define LSOE_SB_101 0x06
#define LSOE_SB_102 0x65
#define LSOE_SB_103 0x69
#define LSOE_SB_104 0x45
#define LSOE_SB_105 0x00
#define LSOE_SB_106 0x94
#define LSOE_SB_107 0x56
#define LSOE_SB_108 0x6d
#define LSOE_SB_109 0x98
#define LSOE_SB_110 0x9b
#define LSOE_SB_111 0x76
#define LSOE_SB_112 0x97
#define LSOE_SB_113 0xfc
#define LSOE_SB_114 0xb2
#define LSOE_SB_115 0xc2
#define LSOE_SB_116 0xb0
#define LSOE_SB_117 0xfe
#define LSOE_SB_118 0xdb
#define LSOE_SB_119 0x20
#define LSOE_SB_120 0xe1
#define LSOE_SB_121 0xeb
#define LSOE_SB_122 0xd6
#define LSOE_SB_123 0xe4
#define LSOE_SB_124 0xdd
#define LSOE_SB_125 0x47
#define LSOE_SB_126 0x4a
#define LSOE_SB_127 0x1d
#define LSOE_SB_128 0x42
#define LSOE_SB_129 0xed
#define LSOE_SB_130 0x9e
#define LSOE_SB_131 0x6e
#define LSOE_SB_132 0x49
#define LSOE_SB_133 0x3c
#define LSOE_SB_134 0xcd
#define LSOE_SB_135 0x43
#define LSOE_SB_136 0x27
#define LSOE_SB_137 0xd2
#define LSOE_SB_138 0x07
#define LSOE_SB_139 0xd4
#define LSOE_SB_140 0xde
#define LSOE_SB_141 0xc7
#define LSOE_SB_142 0x67
#define LSOE_SB_143 0x18
#define LSOE_SB_144 0x89
#define LSOE_SB_145 0xcb
#define LSOE_SB_146 0x30
#define LSOE_SB_147 0x1f
#define LSOE_SB_148 0x8d
#define LSOE_SB_149 0xc6
#define LSOE_SB_150 0x8f
#define LSOE_SB_151 0xaa
#define LSOE_SB_152 0xc8
#define LSOE_SB_153 0x74
#define LSOE_SB_154 0xdc
#define LSOE_SB_155 0xc9
#define LSOE_SB_156 0x5d
#define LSOE_SB_157 0x5c
#define LSOE_SB_158 0x31
#define LSOE_SB_159 0xa4
#define LSOE_SB_160 0x70
#define LSOE_SB_161 0x88
#define LSOE_SB_162 0x61
#define LSOE_SB_163 0x2c
#define LSOE_SB_164 0x9f
#define LSOE_SB_165 0x0d
#define LSOE_SB_166 0x2b
#define LSOE_SB_167 0x87
#define LSOE_SB_168 0x50
#define LSOE_SB_169 0x82
#define LSOE_SB_170 0x54
#define LSOE_SB_171 0x64
#define LSOE_SB_172 0x26
#define LSOE_SB_173 0x7d
#define LSOE_SB_174 0x03
#define LSOE_SB_175 0x40
#define LSOE_SB_176 0x34
#define LSOE_SB_177 0x4b
#define LSOE_SB_178 0x1c
#define LSOE_SB_179 0x73
#define LSOE_SB_180 0xd1
#define LSOE_SB_181 0xc4
#define LSOE_SB_182 0xfd
#define LSOE_SB_183 0x3b
#define LSOE_SB_184 0xcc
#define LSOE_SB_185 0xfb
#define LSOE_SB_186 0x7f
#define LSOE_SB_187 0xab
#define LSOE_SB_188 0xe6
#define LSOE_SB_189 0x3e
#define LSOE_SB_190 0x5b
#define LSOE_SB_191 0xa5
#define LSOE_SB_192 0xad
#define LSOE_SB_193 0x04
#define LSOE_SB_194 0x23
#define LSOE_SB_195 0x9c
#define LSOE_SB_196 0x14
#define LSOE_SB_197 0x51
#define LSOE_SB_198 0x22
#define LSOE_SB_199 0xf0
#define LSOE_SB_200 0x29
#define LSOE_SB_201 0x79
#define LSOE_SB_202 0x71
#define LSOE_SB_203 0x7e
#define LSOE_SB_204 0xff
#define LSOE_SB_205 0x8c
#define LSOE_SB_206 0x0e
#define LSOE_SB_207 0xe2
#define LSOE_SB_208 0x0c
#define LSOE_SB_209 0xef
#define LSOE_SB_210 0xbc
#define LSOE_SB_211 0x72
#define LSOE_SB_212 0x75
#define LSOE_SB_213 0x6f
#define LSOE_SB_214 0x37
#define LSOE_SB_215 0xa1
#define LSOE_SB_216 0xec
#define LSOE_SB_217 0xd3
#define LSOE_SB_218 0x8e
#define LSOE_SB_219 0x62
#define LSOE_SB_220 0x8b
#define LSOE_SB_221 0x86
#define LSOE_SB_222 0x10
#define LSOE_SB_223 0xe8
#define LSOE_SB_224 0x08
#define LSOE_SB_225 0x77
#define LSOE_SB_226 0x11
#define LSOE_SB_227 0xbe
#define LSOE_SB_228 0x92
#define LSOE_SB_229 0x4f
#define LSOE_SB_230 0x24
#define LSOE_SB_231 0xc5
#define LSOE_SB_232 0x32
#define LSOE_SB_233 0x36
#define LSOE_SB_234 0x9d
#define LSOE_SB_235 0xcf
#define LSOE_SB_236 0xf3
#define LSOE_SB_237 0xa6
#define LSOE_SB_238 0xbb
#define LSOE_SB_239 0xac
#define LSOE_SB_240 0x5e
#define LSOE_SB_241 0x6c
#define LSOE_SB_242 0xa9
#define LSOE_SB_243 0x13
#define LSOE_SB_244 0x57
#define LSOE_SB_245 0x25
#define LSOE_SB_246 0xb5
#define LSOE_SB_247 0xe3
#define LSOE_SB_248 0xbd
#define LSOE_SB_249 0xa8
#define LSOE_SB_250 0x3a
#define LSOE_SB_251 0x01
#define LSOE_SB_252 0x05
#define LSOE_SB_253 0x59
#define LSOE_SB_254 0x2a
#define LSOE_SB_255 0x46

static const uint8_t lsoe_sbox[256] = {
	LSOE_SB_0, LSOE_SB_1, LSOE_SB_2, LSOE_SB_3, LSOE_SB_4, LSOE_SB_5, LSOE_SB_6, LSOE_SB_7, LSOE_SB_8, LSOE_SB_9, LSOE_SB_10, LSOE_SB_11, LSOE_SB_12, LSOE_SB_13, LSOE_SB_14, LSOE_SB_15,
	LSOE_SB_16, LSOE_SB_17, LSOE_SB_18, LSOE_SB_19, LSOE_SB_20, LSOE_SB_21, LSOE_SB_22, LSOE_SB_23, LSOE_SB_24, LSOE_SB_25, LSOE_SB_26, LSOE_SB_27, LSOE_SB_28, LSOE_SB_29, LSOE_SB_30, LSOE_SB_31,
	LSOE_SB_32, LSOE_SB_33, LSOE_SB_34, LSOE_SB_35, LSOE_SB_36, LSOE_SB_37, LSOE_SB_38, LSOE_SB_39, LSOE_SB_40, LSOE_SB_41, LSOE_SB_42, LSOE_SB_43, LSOE_SB_44, LSOE_SB_45, LSOE_SB_46, LSOE_SB_47,
	LSOE_SB_48, LSOE_SB_49, LSOE_SB_50, LSOE_SB_51, LSOE_SB_52, LSOE_SB_53, LSOE_SB_54, LSOE_SB_55, LSOE_SB_56, LSOE_SB_57, LSOE_SB_58, LSOE_SB_59, LSOE_SB_60, LSOE_SB_61, LSOE_SB_62, LSOE_SB_63,
	LSOE_SB_64, LSOE_SB_65, LSOE_SB_66, LSOE_SB_67, LSOE_SB_68, LSOE_SB_69, LSOE_SB_70, LSOE_SB_71, LSOE_SB_72, LSOE_SB_73, LSOE_SB_74, LSOE_SB_75, LSOE_SB_76, LSOE_SB_77, LSOE_SB_78, LSOE_SB_79,
	LSOE_SB_80, LSOE_SB_81, LSOE_SB_82, LSOE_SB_83, LSOE_SB_84, LSOE_SB_85, LSOE_SB_86, LSOE_SB_87, LSOE_SB_88, LSOE_SB_89, LSOE_SB_90, LSOE_SB_91, LSOE_SB_92, LSOE_SB_93, LSOE_SB_94, LSOE_SB_95,
	LSOE_SB_96, LSOE_SB_97, LSOE_SB_98, LSOE_SB_99, LSOE_SB_100, LSOE_SB_101, LSOE_SB_102, LSOE_SB_103, LSOE_SB_104, LSOE_SB_105, LSOE_SB_106, LSOE_SB_107, LSOE_SB_108, LSOE_SB_109, LSOE_SB_110, LSOE_SB_111,
	LSOE_SB_112, LSOE_SB_113, LSOE_SB_114, LSOE_SB_115, LSOE_SB_116, LSOE_SB_117, LSOE_SB_118, LSOE_SB_119, LSOE_SB_120, LSOE_SB_121, LSOE_SB_122, LSOE_SB_123, LSOE_SB_124, LSOE_SB_125, LSOE_SB_126, LSOE_SB_127,
	LSOE_SB_128, LSOE_SB_129, LSOE_SB_130, LSOE_SB_131, LSOE_SB_132, LSOE_SB_133, LSOE_SB_134, LSOE_SB_135, LSOE_SB_136, LSOE_SB_137, LSOE_SB_138, LSOE_SB_139, LSOE_SB_140, LSOE_SB_141, LSOE_SB_142, LSOE_SB_143,
	LSOE_SB_144, LSOE_SB_145, LSOE_SB_146, LSOE_SB_147, LSOE_SB_148, LSOE_SB_149, LSOE_SB_150, LSOE_SB_151, LSOE_SB_152, LSOE_SB_153, LSOE_SB_154, LSOE_SB_155, LSOE_SB_156, LSOE_SB_157, LSOE_SB_158, LSOE_SB_159,
	LSOE_SB_160, LSOE_SB_161, LSOE_SB_162, LSOE_SB_163, LSOE_SB_164, LSOE_SB_165, LSOE_SB_166, LSOE_SB_167, LSOE_SB_168, LSOE_SB_169, LSOE_SB_170, LSOE_SB_171, LSOE_SB_172, LSOE_SB_173, LSOE_SB_174, LSOE_SB_175,
	LSOE_SB_176, LSOE_SB_177, LSOE_SB_178, LSOE_SB_179, LSOE_SB_180, LSOE_SB_181, LSOE_SB_182, LSOE_SB_183, LSOE_SB_184, LSOE_SB_185, LSOE_SB_186, LSOE_SB_187, LSOE_SB_188, LSOE_SB_189, LSOE_SB_190, LSOE_SB_191,
	LSOE_SB_192, LSOE_SB_193, LSOE_SB_194, LSOE_SB_195, LSOE_SB_196, LSOE_SB_197, LSOE_SB_198, LSOE_SB_199, LSOE_SB_200, LSOE_SB_201, LSOE_SB_202, LSOE_SB_203, LSOE_SB_204, LSOE_SB_205, LSOE_SB_206, LSOE_SB_207,
	LSOE_SB_208, LSOE_SB_209, LSOE_SB_210, LSOE_SB_211, LSOE_SB_212, LSOE_SB_213, LSOE_SB_214, LSOE_SB_215, LSOE_SB_216, LSOE_SB_217, LSOE_SB_218, LSOE_SB_219, LSOE_SB_220, LSOE_SB_221, LSOE_SB_222, LSOE_SB_223,
	LSOE_SB_224, LSOE_SB_225, LSOE_SB_226, LSOE_SB_227, LSOE_SB_228, LSOE_SB_229, LSOE_SB_230, LSOE_SB_231, LSOE_SB_232, LSOE_SB_233, LSOE_SB_234, LSOE_SB_235, LSOE_SB_236, LSOE_SB_237, LSOE_SB_238, LSOE_SB_239,
	LSOE_SB_240, LSOE_SB_241, LSOE_SB_242, LSOE_SB_243, LSOE_SB_244, LSOE_SB_245, LSOE_SB_246, LSOE_SB_247, LSOE_SB_248, LSOE_SB_249, LSOE_SB_250, LSOE_SB_251, LSOE_SB_252, LSOE_SB_253, LSOE_SB_254, LSOE_SB_255,
};

/*
 * Pair table, indexed by a little-endian 16-bit value x = b0 | b1 << 8 of two
 * consecutive octets: entry = sbox[b0] << 8 | sbox[b1]. Two list macros, because a
 * macro cannot expand itself.
 */
#define LSOE_PAIR(lo, hi) ((uint16_t)((LSOE_SB_##lo << 8) | LSOE_SB_##hi)),
#define LSOE_EACH_LO(M, x) \
	M(0, x) M(1, x) M(2, x) M(3, x) M(4, x) M(5, x) M(6, x) M(7, x) \
	M(8, x) M(9, x) M(10, x) M(11, x) M(12, x) M(13, x) M(14, x) M(15, x) \
	M(16, x) M(17, x) M(18, x) M(19, x) M(20, x) M(21, x) M(22, x) M(23, x) \
	M(24, x) M(25, x) M(26, x) M(27, x) M(28, x) M(29, x) M(30, x) M(31, x) \
	M(32, x) M(33, x) M(34, x) M(35, x) M(36, x) M(37, x) M(38, x) M(39, x) \
	M(40, x) M(41, x) M(42, x) M(43, x) M(44, x) M(45, x) M(46, x) M(47, x) \
	M(48, x) M(49, x) M(50, x) M(51, x) M(52, x) M(53, x) M(54, x) M(55, x) \
	M(56, x) M(57, x) M(58, x) M(59, x) M(60, x) M(61, x) M(62, x) M(63, x) \
	M(64, x) M(65, x) M(66, x) M(67, x) M(68, x) M(69, x) M(70, x) M(71, x) \
	M(72, x) M(73, x) M(74, x) M(75, x) M(76, x) M(77, x) M(78, x) M(79, x) \
	M(80, x) M(81, x) M(82, x) M(83, x) M(84, x) M(85, x) M(86, x) M(87, x) \
	M(88, x) M(89, x) M(90, x) M(91, x) M(92, x) M(93, x) M(94, x) M(95, x) \
	M(96, x) M(97, x) M(98, x) M(99, x) M(100, x) M(101, x) M(102, x) M(103, x) \
	M(104, x) M(105, x) M(106, x) M(107, x) M(108, x) M(109, x) M(110, x) M(111, x) \
	M(112, x) M(113, x) M(114, x) M(115, x) M(116, x) M(117, x) M(118, x) M(119, x) \
	M(120, x) M(121, x) M(122, x) M(123, x) M(124, x) M(125, x) M(126, x) M(127, x) \
	M(128, x) M(129, x) M(130, x) M(131, x) M(132, x) M(133, x) M(134, x) M(135, x) \
	M(136, x) M(137, x) M(138, x) M(139, x) M(140, x) M(141, x) M(142, x) M(143, x) \
	M(144, x) M(145, x) M(146, x) M(147, x) M(148, x) M(149, x) M(150, x) M(151, x) \
	M(152, x) M(153, x) M(154, x) M(155, x) M(156, x) M(157, x) M(158, x) M(159, x) \
	M(160, x) M(161, x) M(162, x) M(163, x) M(164, x) M(165, x) M(166, x) M(167, x) \
	M(168, x) M(169, x) M(170, x) M(171, x) M(172, x) M(173, x) M(174, x) M(175, x) \
	M(176, x) M(177, x) M(178, x) M(179, x) M(180, x) M(181, x) M(182, x) M(183, x) \
	M(184, x) M(185, x) M(186, x) M(187, x) M(188, x) M(189, x) M(190, x) M(191, x) \
	M(192, x) M(193, x) M(194, x) M(195, x) M(196, x) M(197, x) M(198, x) M(199, x) \
	M(200, x) M(201, x) M(202, x) M(203, x) M(204, x) M(205, x) M(206, x) M(207, x) \
	M(208, x) M(209, x) M(210, x) M(211, x) M(212, x) M(213, x) M(214, x) M(215, x) \
	M(216, x) M(217, x) M(218, x) M(219, x) M(220, x) M(221, x) M(222, x) M(223, x) \
	M(224, x) M(225, x) M(226, x) M(227, x) M(228, x) M(229, x) M(230, x) M(231, x) \
	M(232, x) M(233, x) M(234, x) M(235, x) M(236, x) M(237, x) M(238, x) M(239, x) \
	M(240, x) M(241, x) M(242, x) M(243, x) M(244, x) M(245, x) M(246, x) M(247, x) \
	M(248, x) M(249, x) M(250, x) M(251, x) M(252, x) M(253, x) M(254, x) M(255, x)
#define LSOE_PAIR_ROW(x, hi) LSOE_EACH_LO(LSOE_PAIR, hi)
#define LSOE_EACH_HI(M) \
	M(_, 0) M(_, 1) M(_, 2) M(_, 3) M(_, 4) M(_, 5) M(_, 6) M(_, 7) \
	M(_, 8) M(_, 9) M(_, 10) M(_, 11) M(_, 12) M(_, 13) M(_, 14) M(_, 15) \
	M(_, 16) M(_, 17) M(_, 18) M(_, 19) M(_, 20) M(_, 21) M(_, 22) M(_, 23) \
	M(_, 24) M(_, 25) M(_, 26) M(_, 27) M(_, 28) M(_, 29) M(_, 30) M(_, 31) \
	M(_, 32) M(_, 33) M(_, 34) M(_, 35) M(_, 36) M(_, 37) M(_, 38) M(_, 39) \
	M(_, 40) M(_, 41) M(_, 42) M(_, 43) M(_, 44) M(_, 45) M(_, 46) M(_, 47) \
	M(_, 48) M(_, 49) M(_, 50) M(_, 51) M(_, 52) M(_, 53) M(_, 54) M(_, 55) \
	M(_, 56) M(_, 57) M(_, 58) M(_, 59) M(_, 60) M(_, 61) M(_, 62) M(_, 63) \
	M(_, 64) M(_, 65) M(_, 66) M(_, 67) M(_, 68) M(_, 69) M(_, 70) M(_, 71) \
	M(_, 72) M(_, 73) M(_, 74) M(_, 75) M(_, 76) M(_, 77) M(_, 78) M(_, 79) \
	M(_, 80) M(_, 81) M(_, 82) M(_, 83) M(_, 84) M(_, 85) M(_, 86) M(_, 87) \
	M(_, 88) M(_, 89) M(_, 90) M(_, 91) M(_, 92) M(_, 93) M(_, 94) M(_, 95) \
	M(_, 96) M(_, 97) M(_, 98) M(_, 99) M(_, 100) M(_, 101) M(_, 102) M(_, 103) \
	M(_, 104) M(_, 105) M(_, 106) M(_, 107) M(_, 108) M(_, 109) M(_, 110) M(_, 111) \
	M(_, 112) M(_, 113) M(_, 114) M(_, 115) M(_, 116) M(_, 117) M(_, 118) M(_, 119) \
	M(_, 120) M(_, 121) M(_, 122) M(_, 123) M(_, 124) M(_, 125) M(_, 126) M(_, 127) \
	M(_, 128) M(_, 129) M(_, 130) M(_, 131) M(_, 132) M(_, 133) M(_, 134) M(_, 135) \
	M(_, 136) M(_, 137) M(_, 138) M(_, 139) M(_, 140) M(_, 141) M(_, 142) M(_, 143) \
	M(_, 144) M(_, 145) M(_, 146) M(_, 147) M(_, 148) M(_, 149) M(_, 150) M(_, 151) \
	M(_, 152) M(_, 153) M(_, 154) M(_, 155) M(_, 156) M(_, 157) M(_, 158) M(_, 159) \
	M(_, 160) M(_, 161) M(_, 162) M(_, 163) M(_, 164) M(_, 165) M(_, 166) M(_, 167) \
	M(_, 168) M(_, 169) M(_, 170) M(_, 171) M(_, 172) M(_, 173) M(_, 174) M(_, 175) \
	M(_, 176) M(_, 177) M(_, 178) M(_, 179) M(_, 180) M(_, 181) M(_, 182) M(_, 183) \
	M(_, 184) M(_, 185) M(_, 186) M(_, 187) M(_, 188) M(_, 189) M(_, 190) M(_, 191) \
	M(_, 192) M(_, 193) M(_, 194) M(_, 195) M(_, 196) M(_, 197) M(_, 198) M(_, 199) \
	M(_, 200) M(_, 201) M(_, 202) M(_, 203) M(_, 204) M(_, 205) M(_, 206) M(_, 207) \
	M(_, 208) M(_, 209) M(_, 210) M(_, 211) M(_, 212) M(_, 213) M(_, 214) M(_, 215) \
	M(_, 216) M(_, 217) M(_, 218) M(_, 219) M(_, 220) M(_, 221) M(_, 222) M(_, 223) \
	M(_, 224) M(_, 225) M(_, 226) M(_, 227) M(_, 228) M(_, 229) M(_, 230) M(_, 231) \
	M(_, 232) M(_, 233) M(_, 234) M(_, 235) M(_, 236) M(_, 237) M(_, 238) M(_, 239) \
	M(_, 240) M(_, 241) M(_, 242) M(_, 243) M(_, 244) M(_, 245) M(_, 246) M(_, 247) \
	M(_, 248) M(_, 249) M(_, 250) M(_, 251) M(_, 252) M(_, 253) M(_, 254) M(_, 255)

static const uint16_t lsoe_sbox_pair[65536] = { LSOE_EACH_HI(LSOE_PAIR_ROW) };

#endif
