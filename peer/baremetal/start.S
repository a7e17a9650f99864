/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry of the xenshm bare-metal guest: arm64 Image header (what Xen 4.17's
 * kernel_zimage64_probe() checks: magic "ARM\x64" at 0x38; it loads the file
 * at RAM base + text_offset = 0x40000000 and enters at EL1 with x0 = DTB,
 * MMU and caches off), stack, vector table, FP/SIMD on, BSS clear, C++
 * constructors, then bm_start(dtb).
 */
	.section .text.head, "ax"
	.global _head
_head:
	b	_start			/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset: load at RAM base */
	.quad	__end - _head		/* image_size, BSS and stack included */
	.quad	0x2			/* flags: little endian, 4 KiB pages */
	.quad	0, 0, 0			/* res2..res4 */
	.ascii	"ARM\x64"		/* magic (ZIMAGE64_MAGIC_V1) */
	.long	0			/* res5 */

	.text
	.global _start
_start:
	msr	daifset, #0xf
	mov	x19, x0			/* DTB */
	/* Linked at 0x40000000 and not relocatable: refuse to run elsewhere. */
	adr	x1, _head
	ldr	x2, =_head
	cmp	x1, x2
	b.ne	.Lwrong_place
	ldr	x1, =__stack_top
	mov	sp, x1
	ldr	x1, =bm_vectors
	msr	vbar_el1, x1
	mov	x1, #(3 << 20)		/* CPACR_EL1.FPEN: no FP/SIMD traps */
	msr	cpacr_el1, x1
	isb
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:	mov	x0, x19
	bl	bm_start		/* never returns */
3:	wfi
	b	3b

.Lwrong_place:				/* say so on the vpl011, MMU off */
	ldr	x1, =0x22000000
	adr	x2, .Lmsg
4:	ldrb	w3, [x2], #1
	cbz	w3, 3b
	str	w3, [x1]
	b	4b
.Lmsg:	.asciz	"xenshm-bm: not loaded at 0x40000000 (text_offset?)\n"
	.balign	4

/*
 * Exception vectors. Every entry saves x0-x30, ELR, SPSR, the FP/SIMD
 * registers (IRQ callbacks may be C++ that uses them) and calls
 * bm_exception(frame, kind); kind = vector index 0..15.
 */
#define FRAME_GP	(34 * 8)
#define FRAME_SIZE	(FRAME_GP + 32 * 16 + 16)

	.macro	vent kind
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	bm_vector_common
	.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.global bm_vectors
bm_vectors:
	vent 0
	vent 1
	vent 2
	vent 3
	vent 4
	vent 5
	vent 6
	vent 7
	vent 8
	vent 9
	vent 10
	vent 11
	vent 12
	vent 13
	vent 14
	vent 15

bm_vector_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x30, x1, [sp, #240]
	str	x2, [sp, #256]
	add	x3, sp, #FRAME_GP
	stp	q0, q1, [x3, #0]
	stp	q2, q3, [x3, #32]
	stp	q4, q5, [x3, #64]
	stp	q6, q7, [x3, #96]
	stp	q8, q9, [x3, #128]
	stp	q10, q11, [x3, #160]
	stp	q12, q13, [x3, #192]
	stp	q14, q15, [x3, #224]
	stp	q16, q17, [x3, #256]
	stp	q18, q19, [x3, #288]
	stp	q20, q21, [x3, #320]
	stp	q22, q23, [x3, #352]
	stp	q24, q25, [x3, #384]
	stp	q26, q27, [x3, #416]
	stp	q28, q29, [x3, #448]
	stp	q30, q31, [x3, #480]
	mrs	x4, fpsr
	mrs	x5, fpcr
	add	x6, x3, #512
	stp	x4, x5, [x6]
	mov	x1, x0			/* kind */
	mov	x0, sp			/* frame */
	bl	bm_exception
	add	x3, sp, #FRAME_GP
	add	x6, x3, #512
	ldp	x4, x5, [x6]
	msr	fpsr, x4
	msr	fpcr, x5
	ldp	q0, q1, [x3, #0]
	ldp	q2, q3, [x3, #32]
	ldp	q4, q5, [x3, #64]
	ldp	q6, q7, [x3, #96]
	ldp	q8, q9, [x3, #128]
	ldp	q10, q11, [x3, #160]
	ldp	q12, q13, [x3, #192]
	ldp	q14, q15, [x3, #224]
	ldp	q16, q17, [x3, #256]
	ldp	q18, q19, [x3, #288]
	ldp	q20, q21, [x3, #320]
	ldp	q22, q23, [x3, #352]
	ldp	q24, q25, [x3, #384]
	ldp	q26, q27, [x3, #416]
	ldp	q28, q29, [x3, #448]
	ldp	q30, q31, [x3, #480]
	ldp	x30, x1, [sp, #240]
	ldr	x2, [sp, #256]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	add	sp, sp, #FRAME_SIZE
	eret

/*
 * Xen hypercall: hvc #XEN_HYPERCALL_TAG (0xEA1, public/arch-arm.h), number
 * in x16, arguments in x0..x4, result in x0. Xen clobbers x16 and the
 * argument registers it uses, which the C calling convention allows here.
 * long bm_hypercall(unsigned long nr, unsigned long a0, a1, a2, a3, a4)
 */
	.text
	.global bm_hypercall
bm_hypercall:
	mov	x16, x0
	mov	x0, x1
	mov	x1, x2
	mov	x2, x3
	mov	x3, x4
	mov	x4, x5
	hvc	#0xEA1
	ret
