/* SPDX-License-Identifier: MIT */
/*
 * The DSDT the Bochs test kit installs (acpi_tables.c): OVMF under Bochs
 * installs no ACPI tables of its own (its platform driver reads them from
 * QEMU's fw_cfg), so this is all the AML the firmware and the VMM see.
 *
 * The sleep types are the ones Bochs's PIIX4 power-management function
 * decodes from PM1_CNT.SLP_TYP when SLP_EN is written (bochs
 * iodev/acpi.cc): 1 is suspend to RAM (Bochs resets the machine), 0 is
 * soft power-off (Bochs exits). \_S4_ is left out: Bochs has no S4.
 */
DefinitionBlock ("dsdt.aml", "DSDT", 2, "SMXTST", "BOCHSKIT", 1)
{
    Name (\_S3, Package (0x04) { 0x01, 0x01, Zero, Zero })
    Name (\_S5, Package (0x04) { Zero, Zero, Zero, Zero })
}
